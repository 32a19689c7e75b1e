/**
 * A happy-dom window made spec-correct where DOMPurify relies on the DOM standard. Two gaps in happy-dom 21:
 * - `Node.prototype`'s `nodeName` getter returns '' (each subclass holds the real one); DOMPurify reads that
 *   getter (so that a clobbered `nodeName` cannot fool it), so every element looked unnamed and was dropped.
 * - `document.createNodeIterator` is a TreeWalker: when the current node is removed the iteration stops, so
 *   everything after the first removed element was never sanitized. The DOM standard's NodeIterator moves its
 *   reference on removal ("pre-removing steps"); the iterator below does exactly that.
 * The patches follow https://dom.spec.whatwg.org/#interface-nodeiterator and change nothing else; the same
 * renderers run unpatched in real Chromium in the end-to-end tests.
 */
import { Window } from 'happy-dom';

type AnyNode = Node;
const patched = new WeakSet<object>();

function followingInRoot(node: AnyNode, root: AnyNode, skipChildren = false): AnyNode | null {
  if (!skipChildren && node.firstChild) return node.firstChild;
  for (let n: AnyNode | null = node; n && n !== root; n = n.parentNode) {
    if (n.nextSibling) return n.nextSibling;
  }
  return null;
}

function lastInclusiveDescendant(node: AnyNode): AnyNode {
  let n = node;
  while (n.lastChild) n = n.lastChild;
  return n;
}

class SpecNodeIterator {
  static live = new Set<SpecNodeIterator>();
  reference: AnyNode;
  pointerBeforeReference = true;
  constructor(
    readonly root: AnyNode,
    readonly whatToShow: number,
    readonly filter: ((n: AnyNode) => number) | { acceptNode(n: AnyNode): number } | null,
  ) {
    this.reference = root;
    SpecNodeIterator.live.add(this);
  }
  private accepts(n: AnyNode): boolean {
    if (!(this.whatToShow & (1 << (n.nodeType - 1)))) return false;
    if (!this.filter) return true;
    const r = typeof this.filter === 'function' ? this.filter(n) : this.filter.acceptNode(n);
    return r === 1;
  }
  nextNode(): AnyNode | null {
    let node: AnyNode | null = this.reference;
    let before = this.pointerBeforeReference;
    for (;;) {
      if (!before) {
        node = followingInRoot(node!, this.root);
        if (!node) {
          SpecNodeIterator.live.delete(this); // DOMPurify never detaches: forget an iterator once it is done
          return null;
        }
      }
      before = false;
      if (this.accepts(node!)) {
        this.reference = node!;
        this.pointerBeforeReference = false;
        return node;
      }
    }
  }
  previousNode(): AnyNode | null {
    throw new Error('previousNode is not needed by DOMPurify');
  }
  detach(): void {
    SpecNodeIterator.live.delete(this);
  }
  preRemove(toBeRemoved: AnyNode): void {
    if (toBeRemoved === this.root || !toBeRemoved.contains(this.reference)) return;
    if (this.pointerBeforeReference) {
      let next = followingInRoot(toBeRemoved, this.root, true);
      if (next && !this.root.contains(next)) next = null;
      if (next) {
        this.reference = next;
        return;
      }
      this.pointerBeforeReference = false;
    }
    const prev = toBeRemoved.previousSibling;
    this.reference = prev ? lastInclusiveDescendant(prev) : toBeRemoved.parentNode!;
  }
}

/** The prototype on `obj`'s chain that itself defines `prop` (happy-dom adds per-window subclasses above it). */
function definer(obj: object, prop: string): Record<string, unknown> {
  for (let p = Object.getPrototypeOf(obj); p; p = Object.getPrototypeOf(p)) if (Object.hasOwn(p, prop)) return p;
  throw new Error(`happy-dom: no prototype defines ${prop}`);
}

export function specDom(window: Window): Window {
  const doc = (window as unknown as { document: Document }).document;
  const text = doc.createTextNode('');
  const el = doc.createElement('p');
  // The base Node prototype: the one that defines removeChild (below Element, Text and Document).
  const nodeProto = definer(text, 'removeChild');
  if (patched.has(nodeProto)) return window;
  patched.add(nodeProto);
  Object.defineProperty(nodeProto, 'nodeName', {
    configurable: true,
    get(this: object): string {
      for (let p = Object.getPrototypeOf(this); p && p !== nodeProto; p = Object.getPrototypeOf(p)) {
        const getter = Object.getOwnPropertyDescriptor(p, 'nodeName')?.get;
        if (getter) return getter.call(this) as string;
      }
      return '';
    },
  });
  definer(doc, 'createNodeIterator').createNodeIterator = function (root: AnyNode, whatToShow = 0xffffffff, filter = null) {
    return new SpecNodeIterator(root, whatToShow, filter);
  };
  const removeChild = nodeProto.removeChild as (this: AnyNode, c: AnyNode) => AnyNode;
  nodeProto.removeChild = function (this: AnyNode, child: AnyNode) {
    if (child && child.parentNode === this) for (const it of SpecNodeIterator.live) it.preRemove(child);
    return removeChild.call(this, child);
  };
  for (const proto of new Set([definer(el, 'remove'), definer(text, 'remove')])) {
    const remove = proto.remove as (this: ChildNode) => void;
    proto.remove = function (this: ChildNode) {
      if (this.parentNode) for (const it of SpecNodeIterator.live) it.preRemove(this);
      remove.call(this);
    };
  }
  return window;
}

/** A fresh happy-dom window that DOMPurify can work in. */
export function domWindow(): Window {
  return specDom(new Window());
}
