/**
 * The chat: turns, the message box, notices. Host messages are applied at once to the state (the shared reducer);
 * the DOM follows in batches, one per animation frame, touching only what changed.
 */
import type { HostAction, HostToWebview, Turn, UiStrings, ViewSettings, WebviewToHost } from '../../src/shared/protocol';
import { maxQuestionLength } from '../../src/shared/protocol';
import { createButton, setButtonDisabled } from '../ui/toolkit';
import { routeLinks } from './links';
import { TurnView, type TurnContext } from './turnView';

export interface ChatViewDeps {
  readonly doc: Document;
  /** `#code-tutor-root`. */
  readonly root: HTMLElement;
  readonly post: (message: WebviewToHost) => void;
  /** Milliseconds, monotonic (performance.now in the page, a fake clock in tests). */
  readonly now: () => number;
  readonly requestFrame: (callback: () => void) => void;
  readonly reducedMotion: () => boolean;
}

/** Distance from the bottom (px) within which the view keeps following new output. */
const stickSlack = 48;

export class ChatView {
  private strings: UiStrings | null = null;
  private settings: ViewSettings = { typewriter: true };
  private readonly turns = new Map<string, TurnView>();
  private readonly dirty = new Set<TurnView>();
  private runningTurnId: string | null = null;
  private frameRequested = false;
  private latest: TurnView | null = null;

  private readonly notices: HTMLElement;
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly question: HTMLTextAreaElement;
  private readonly send: HTMLElement;
  private readonly stop: HTMLElement;
  private readonly ctx: TurnContext;

  constructor(private readonly deps: ChatViewDeps) {
    const { doc, root, post } = deps;
    this.ctx = {
      doc,
      strings: () => this.strings!,
      typewriterOn: () => this.typewriterOn(),
      insert: (turnId, itemId) => post({ type: 'insertCode', turnId, itemId }),
      copy: (turnId, itemId) => post({ type: 'copyCode', turnId, itemId }),
      save: (turnId, itemId, outputIndex) => post({ type: 'saveOutput', turnId, itemId, outputIndex }),
      action: (action) => post({ type: 'action', action }),
    };
    root.classList.add('chat', 'loading');
    this.notices = doc.createElement('div');
    this.notices.className = 'notices';
    this.list = doc.createElement('div');
    this.list.className = 'turns';
    this.list.setAttribute('role', 'log');
    this.empty = doc.createElement('div');
    this.empty.className = 'empty';

    const composer = doc.createElement('div');
    composer.className = 'composer';
    this.question = doc.createElement('textarea');
    this.question.id = 'question';
    this.question.rows = 2;
    // Too long is refused (and shown), never silently cut: no maxlength, which would truncate a paste.
    this.question.addEventListener('input', () => {
      this.question.setAttribute('aria-invalid', String(this.question.value.length > maxQuestionLength));
    });
    this.question.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.ask();
      }
    });
    this.send = createButton(doc, { id: 'send', label: '', appearance: 'primary', onClick: () => this.ask() });
    this.stop = createButton(doc, { id: 'stop', label: '', appearance: 'secondary', onClick: () => post({ type: 'stop' }) });
    const buttons = doc.createElement('div');
    buttons.className = 'composer-buttons';
    buttons.append(this.stop, this.send);
    composer.append(this.question, buttons);
    root.replaceChildren(this.notices, this.list, composer);
    routeLinks(root, post);
    this.list.append(this.empty);
    this.renderRunning();
  }

  /** Apply a (checked) message from the host. */
  handle(m: HostToWebview): void {
    switch (m.type) {
      case 'snapshot':
        this.snapshot(m);
        break;
      case 'turnStarted': {
        if (!this.strings || this.turns.has(m.turn.id)) break;
        const view = this.addTurn(m.turn);
        if (view.status === 'in_progress') this.runningTurnId = m.turn.id;
        this.renderRunning();
        break;
      }
      case 'event': {
        const view = this.turns.get(m.turnId);
        if (!view) break; // a turn we do not know: the next snapshot brings it
        view.apply(m.event, this.deps.now());
        this.markDirty(view);
        if (m.event.kind === 'run.finished' && this.runningTurnId === m.turnId) {
          this.runningTurnId = null;
          this.renderRunning();
        }
        break;
      }
      case 'notice':
        if (this.strings) this.addNotice(m.level, m.text, m.actions);
        break;
      case 'settings':
        this.settings = m.settings;
        if (!this.typewriterOn()) this.showAll();
        break;
      default: {
        const never: never = m;
        return never;
      }
    }
  }

  /** Reduced motion switched on, or the typewriter off: show all text now. */
  showAll(): void {
    for (const v of this.turns.values()) {
      v.showAll();
      this.markDirty(v);
    }
  }

  /** Run the pending frame now (tests, and a page becoming visible). */
  flush(): void {
    this.frame();
  }

  private typewriterOn(): boolean {
    return this.settings.typewriter !== false && !this.deps.reducedMotion();
  }

  private snapshot(m: Extract<HostToWebview, { type: 'snapshot' }>): void {
    this.strings = m.strings;
    this.settings = m.settings;
    const s = m.strings;
    this.deps.root.classList.remove('loading');
    this.question.placeholder = s.placeholder;
    this.question.setAttribute('aria-label', s.placeholder);
    this.send.textContent = s.send;
    this.stop.textContent = s.stop;
    this.empty.textContent = s.empty;
    // A snapshot is the whole truth: rebuild from it, never on top of what is shown.
    this.turns.clear();
    this.dirty.clear();
    this.latest = null;
    this.list.replaceChildren(this.empty);
    for (const turn of m.chat.turns) this.addTurn(turn);
    const running = m.chat.runningTurnId;
    this.runningTurnId = running && this.turns.get(running)?.status === 'in_progress' ? running : null;
    this.renderRunning();
    this.frame();
    this.list.scrollTop = this.list.scrollHeight;
  }

  private addTurn(turn: Turn): TurnView {
    const view = new TurnView(this.ctx, turn, this.deps.now());
    this.turns.set(turn.id, view);
    this.latest?.el.classList.remove('latest');
    this.latest = view;
    view.el.classList.add('latest');
    this.list.append(view.el);
    this.empty.hidden = true;
    this.markDirty(view);
    return view;
  }

  private ask(): void {
    if (!this.strings || this.runningTurnId) return;
    const text = this.question.value;
    if (text.trim() === '' || text.length > maxQuestionLength) return;
    this.deps.post({ type: 'ask', text });
    this.question.value = '';
  }

  private renderRunning(): void {
    const running = this.runningTurnId !== null;
    this.stop.hidden = !running;
    setButtonDisabled(this.send, running || !this.strings);
    this.deps.root.classList.toggle('running', running);
  }

  private addNotice(level: 'info' | 'error', text: string, actions: readonly HostAction[]): void {
    const { doc } = this.deps;
    const s = this.strings!;
    const el = doc.createElement('div');
    el.className = 'notice';
    el.dataset.level = level;
    el.setAttribute('role', level === 'error' ? 'alert' : 'status');
    const msg = doc.createElement('div');
    msg.className = 'notice-text';
    msg.textContent = String(text);
    const buttons = doc.createElement('div');
    buttons.className = 'notice-actions';
    for (const a of actions) {
      if (typeof s[a] !== 'string') continue; // not an action we know
      buttons.append(
        createButton(doc, {
          label: s[a],
          className: 'notice-action',
          onClick: () => {
            el.remove();
            this.deps.post({ type: 'action', action: a });
          },
        }),
      );
    }
    const dismiss = createButton(doc, { label: '✕', ariaLabel: s.dismiss, className: 'notice-dismiss', appearance: 'icon', onClick: () => el.remove() });
    el.append(msg, buttons, dismiss);
    this.notices.append(el);
  }

  private markDirty(view: TurnView): void {
    this.dirty.add(view);
    if (!this.frameRequested) {
      this.frameRequested = true;
      this.deps.requestFrame(() => this.frame());
    }
  }

  private frame(): void {
    this.frameRequested = false;
    if (this.dirty.size === 0) return;
    const list = this.list;
    // Read before writing: follow the output only if the learner was already at the bottom.
    const stick = list.scrollHeight - list.scrollTop - list.clientHeight <= stickSlack;
    const now = this.deps.now();
    for (const v of this.dirty) {
      if (!v.frame(now)) this.dirty.delete(v);
    }
    if (stick) list.scrollTop = list.scrollHeight;
    if (this.dirty.size > 0 && !this.frameRequested) {
      this.frameRequested = true;
      this.deps.requestFrame(() => this.frame());
    }
  }
}
