/**
 * An immutable list with cheap updates: a 32-way trie with path copying (the persistent vector of Clojure and
 * Immutable.js, reduced to what the transcript reducer needs: get, set, push, toArray).
 *
 * `push` and `set` copy at most one node per level (log32 n levels: 4 for a million elements), so their cost stays
 * flat however long the list grows, and every older version stays valid and unchanged.
 *
 * Imported by the host and the webview: no `vscode`, no DOM.
 */
const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Node = unknown[];

export class PersistentList<T> {
  static readonly empty: PersistentList<never> = new PersistentList<never>(0, BITS, []);

  private constructor(
    readonly size: number,
    /** Bits to shift at the root: BITS for a root whose children are leaves. */
    private readonly shift: number,
    private readonly root: Node,
  ) {}

  static from<T>(items: Iterable<T>): PersistentList<T> {
    let list: PersistentList<T> = PersistentList.empty;
    for (const item of items) list = list.push(item);
    return list;
  }

  get(i: number): T | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) return undefined;
    let node = this.root;
    for (let level = this.shift; level > 0; level -= BITS) node = node[(i >>> level) & MASK] as Node;
    return node[i & MASK] as T;
  }

  set(i: number, value: T): PersistentList<T> {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError(`index ${i} out of range`);
    return new PersistentList<T>(this.size, this.shift, setIn(this.root, this.shift, i, value));
  }

  push(value: T): PersistentList<T> {
    const i = this.size;
    if (i === WIDTH ** (this.shift / BITS + 1)) {
      // The trie is full: a new root with the old one as its first child.
      const root: Node = [this.root];
      return new PersistentList<T>(i + 1, this.shift + BITS, pushIn(root, this.shift + BITS, i, value));
    }
    return new PersistentList<T>(i + 1, this.shift, pushIn(this.root, this.shift, i, value));
  }

  last(): T | undefined {
    return this.get(this.size - 1);
  }

  toArray(): T[] {
    const out: T[] = new Array<T>(this.size);
    let n = 0;
    const walk = (node: Node, level: number): void => {
      if (level === 0) {
        for (let k = 0; k < node.length && n < this.size; k++) out[n++] = node[k] as T;
        return;
      }
      for (const child of node) walk(child as Node, level - BITS);
    };
    walk(this.root, this.shift);
    return out;
  }
}

function setIn(node: Node, level: number, i: number, value: unknown): Node {
  const copy = node.slice();
  if (level === 0) copy[i & MASK] = value;
  else {
    const k = (i >>> level) & MASK;
    copy[k] = setIn(node[k] as Node, level - BITS, i, value);
  }
  return copy;
}

function pushIn(node: Node, level: number, i: number, value: unknown): Node {
  const copy = node.slice();
  if (level === 0) copy[i & MASK] = value;
  else {
    const k = (i >>> level) & MASK;
    copy[k] = pushIn((node[k] as Node | undefined) ?? [], level - BITS, i, value);
  }
  return copy;
}
