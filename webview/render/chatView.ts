/**
 * The chat: turns, the message box, notices. Host messages are applied at once to the state (the shared reducer);
 * the DOM follows in batches, one per animation frame, touching only what changed.
 */
import type { HostAction, HostToWebview, Turn, UiStrings, ViewSettings, WebviewToHost } from '../../src/shared/protocol';
import { maxQuestionLength } from '../../src/shared/protocol';
import { createButton, setButtonDisabled } from '../ui/toolkit';
import { routeLinks } from './links';
import { TurnView, type TurnContext } from './turnView';
import { modeLabel, TutorHeader } from './tutorHeader';

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

/** How long after the reader's wheel, touch, key or focus move a scroll away from the bottom counts as theirs (ms). */
const intentMs = 1_000;
/** Keys that scroll the conversation up when it has the focus. */
const scrollKeys = new Set(['ArrowUp', 'PageUp', 'Home', ' ']);
/** Distance from the bottom (px) within which the view keeps following new output. */
const stickSlack = 48;

/** Work one frame may do on older turns before it leaves the rest to the next frame (a 60 Hz frame is 16.7 ms). */
const frameBudgetMs = 10;
/**
 * The newest turns are drawn in the frame they change, whatever it costs (a streaming turn is the newest): a view
 * shows about this many. Older ones take the frame's budget, newest first (a long chat used to draw 20 at once in
 * the task that received it: ~0.3 s for 20 long answers).
 */
const alwaysRendered = 3;
/** Turns older than this many, in a chat opened from a snapshot, may skip layout while out of view. */
const backlogAfter = 20;

export class ChatView {
  private strings: UiStrings | null = null;
  private settings: ViewSettings = { typewriter: true };
  private readonly turns = new Map<string, TurnView>();
  private readonly dirty = new Set<TurnView>();
  private runningTurnId: string | null = null;
  /** The order turns were added in (newest highest), for drawing the newest first. */
  private readonly order = new WeakMap<TurnView, number>();
  private added = 0;
  /** Order given to the next turn put above the others (older turns of a paged snapshot): below every other. */
  private prepended = 0;
  /** The snapshot shown, when older turns of it are still to come ('olderTurns' of any other are stale). */
  private page: { id: number; older: number } | null = null;
  private frameRequested = false;
  private latest: TurnView | null = null;

  private readonly notices: HTMLElement;
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly question: HTMLTextAreaElement;
  private readonly send: HTMLElement;
  private readonly stop: HTMLElement;
  private readonly regenerate: HTMLElement;
  private readonly edit: HTMLElement;
  private readonly newChat: HTMLElement;
  private readonly editBanner: HTMLElement;
  private readonly editText: HTMLElement;
  private readonly cancel: HTMLElement;
  private readonly jump: HTMLElement;
  private readonly live: HTMLElement;
  private readonly ctx: TurnContext;
  private readonly header: TutorHeader;
  /** Follow new output: true while the reader is at the bottom; scrolling up pauses it, "Jump to latest" resumes. */
  private following = true;
  /** When the reader last did something that scrolls (deps.now()), and whether a pointer is held on the list. */
  private scrolledAt = -Infinity;
  private pointerHeld = false;
  /** The content's height, and where the view was, when following last put the view at the bottom. */
  private pinnedHeight = -1;
  private pinnedTop = -1;
  private editing = false;
  private spoken: string[] = [];
  private endPending = false;

  constructor(private readonly deps: ChatViewDeps) {
    const { doc, root, post } = deps;
    this.ctx = {
      doc,
      strings: () => this.strings!,
      typewriterOn: () => this.typewriterOn(),
      codeAction: (turnId, itemId, action, fence) => post({ type: 'codeAction', action, turnId, itemId, ...(fence === undefined ? {} : { fence }) }),
      announce: (text) => this.announce(text),
      save: (turnId, itemId, outputIndex) => post({ type: 'saveOutput', turnId, itemId, outputIndex }),
      action: (action) => post({ type: 'action', action }),
      reveal: (turnId, itemId) => post({ type: 'reveal', turnId, itemId }),
      modeLabel: () => modeLabel(this.strings!, this.header.current?.mode === 'review' ? 'review' : 'hint'),
      post,
    };
    this.header = new TutorHeader(doc, post);
    root.classList.add('chat', 'loading');
    this.notices = doc.createElement('div');
    this.notices.className = 'notices';
    this.list = doc.createElement('div');
    this.list.className = 'turns';
    this.list.setAttribute('role', 'log');
    // The conversation scrolls: it must be reachable (and scrollable) by keyboard.
    this.list.tabIndex = 0;
    this.list.addEventListener('scroll', () => this.onScroll());
    // What the reader does to scroll: only these stop the following (see onScroll).
    const intent = (): void => {
      this.scrolledAt = this.deps.now();
    };
    this.list.addEventListener('wheel', (e) => (e as WheelEvent).deltaY < 0 && intent(), { passive: true });
    this.list.addEventListener('touchmove', intent, { passive: true });
    this.list.addEventListener('keydown', (e) => scrollKeys.has((e as KeyboardEvent).key) && intent());
    this.list.addEventListener('focusin', intent);
    this.list.addEventListener('pointerdown', () => (this.pointerHeld = true));
    for (const end of ['pointerup', 'pointercancel', 'blur']) doc.defaultView?.addEventListener(end, () => (this.pointerHeld = false));
    // A view made smaller (the panel below it grew) leaves a following reader short of the bottom: put it back.
    const Resize = (doc.defaultView as (Window & { ResizeObserver?: typeof ResizeObserver }) | null)?.ResizeObserver;
    if (Resize) new Resize(() => this.following && this.pin()).observe(this.list);
    // A click in an answer that is still being typed shows the whole of it at once.
    this.list.addEventListener('click', (e) => {
      const t = e.target as Element | null;
      if (t?.closest?.('.turn-answer') && !t.closest('a, vscode-button, button, pre')) this.showAll();
    });
    this.live = doc.createElement('div');
    this.live.className = 'sr-only';
    this.live.setAttribute('role', 'status');
    this.live.setAttribute('aria-live', 'polite');
    this.jump = createButton(doc, { id: 'jump-latest', label: '', className: 'jump-latest', onClick: () => this.jumpToLatest() });
    this.jump.hidden = true;
    const listWrap = doc.createElement('div');
    listWrap.className = 'turns-wrap';
    listWrap.append(this.list, this.jump);
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
      } else if (e.key === 'Escape' && this.editing) {
        e.preventDefault();
        this.cancelEdit();
      }
    });
    this.send = createButton(doc, { id: 'send', label: '', appearance: 'primary', onClick: () => this.ask() });
    // Send turns into Stop while a run is going: the same place, the other button.
    this.stop = createButton(doc, { id: 'stop', label: '', appearance: 'primary', onClick: () => post({ type: 'stop' }) });
    this.regenerate = createButton(doc, { id: 'regenerate', label: '', className: 'chat-action', onClick: () => post({ type: 'regenerate' }) });
    this.edit = createButton(doc, { id: 'edit-last', label: '', className: 'chat-action', onClick: () => this.startEdit() });
    this.newChat = createButton(doc, { id: 'new-chat', label: '', className: 'chat-action', onClick: () => post({ type: 'action', action: 'newChat' }) });
    this.editBanner = doc.createElement('div');
    this.editBanner.className = 'edit-banner';
    this.editBanner.hidden = true;
    this.editText = doc.createElement('span');
    this.editText.id = 'edit-banner-text';
    this.cancel = createButton(doc, { id: 'cancel-edit', label: '', className: 'chat-action', onClick: () => this.cancelEdit() });
    this.editBanner.append(this.editText, this.cancel);
    const chatActions = doc.createElement('div');
    chatActions.className = 'chat-actions';
    chatActions.append(this.regenerate, this.edit, this.newChat);
    const buttons = doc.createElement('div');
    buttons.className = 'composer-buttons';
    buttons.append(chatActions, this.stop, this.send);
    composer.append(this.editBanner, this.question, buttons);
    root.replaceChildren(this.header.el, this.notices, listWrap, composer, this.live);
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
      case 'olderTurns':
        this.olderTurns(m.page, m.turns);
        break;
      case 'turnStarted': {
        if (!this.strings || this.turns.has(m.turn.id)) break;
        const view = this.addTurn(m.turn);
        // A question asked from anywhere (the box, the palette, the editor): the reader wants its answer in view.
        this.follow();
        this.jump.hidden = true;
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
          // Said after the answer's last block, which the next frame renders.
          if (m.event.status === 'completed') this.endPending = true;
        }
        break;
      }
      case 'notice':
        if (this.strings) this.addNotice(m.level, m.text, m.actions);
        break;
      case 'settings':
        this.settings = m.settings;
        if (this.strings) this.header.setModel(m.settings.model, this.strings);
        if (!this.typewriterOn()) this.showAll();
        break;
      case 'tutor':
        if (!this.strings) break; // the host sends it again after every snapshot
        this.header.update(m.tutor, this.strings);
        this.deps.root.classList.toggle('reveal-allowed', m.tutor.allowReveal);
        break;
      case 'events':
        for (const inner of m.messages) this.handle(inner);
        break;
      case 'learner': {
        const view = this.turns.get(m.turnId);
        if (!view) break;
        view.setLearner(m.learner);
        this.markDirty(view);
        break;
      }
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

  /** Run the pending frame now, all of it (tests, and a page becoming visible). */
  flush(): void {
    this.frame(Number.POSITIVE_INFINITY);
  }

  private typewriterOn(): boolean {
    return this.settings.typewriter !== false && !this.deps.reducedMotion();
  }

  private snapshot(m: Extract<HostToWebview, { type: 'snapshot' }>): void {
    this.strings = m.strings;
    this.settings = m.settings;
    const s = m.strings;
    this.header.setModel(m.settings.model, s);
    this.deps.root.classList.remove('loading');
    this.question.placeholder = s.placeholder;
    this.question.setAttribute('aria-label', s.placeholder);
    this.send.textContent = s.send;
    this.stop.textContent = s.stop;
    this.regenerate.textContent = s.regenerate;
    this.edit.textContent = s.editLast;
    this.newChat.textContent = s.newChat;
    this.cancel.textContent = s.cancelEdit;
    this.editText.textContent = s.editing;
    this.jump.textContent = s.jumpToLatest;
    this.list.setAttribute('aria-label', s.tutor);
    this.empty.textContent = s.empty;
    this.cancelEdit();
    // A snapshot is the whole truth: rebuild from it, never on top of what is shown.
    this.turns.clear();
    this.dirty.clear();
    this.latest = null;
    this.list.replaceChildren(this.empty);
    this.page = m.page && m.page.older > 0 ? { ...m.page } : null;
    for (const turn of m.chat.turns) this.addTurn(turn);
    for (const [i, v] of [...this.turns.values()].entries()) if (i < this.turns.size - backlogAfter) v.el.classList.add('turn-backlog');
    const running = m.chat.runningTurnId;
    this.runningTurnId = running && this.turns.get(running)?.status === 'in_progress' ? running : null;
    this.renderRunning();
    this.frame();
    this.following = true;
    this.pin();
    this.jump.hidden = true;
  }

  /**
   * Older turns of the snapshot shown (oldest first) go above the oldest shown. Out of view they are backlog turns,
   * drawn as the frame budget allows; a reader who scrolled up keeps the text in view (the browser's scroll
   * anchoring), and one at the bottom stays there (the frame follows).
   */
  private olderTurns(page: number, turns: readonly Turn[]): void {
    if (!this.page || page !== this.page.id || !this.strings) return; // of a snapshot since replaced
    const at = this.list.querySelector(':scope > .turn');
    const fresh = turns.filter((turn) => !this.turns.has(turn.id)).map((turn) => {
      const view = new TurnView(this.ctx, turn, this.deps.now());
      this.turns.set(turn.id, view);
      view.el.classList.add('turn-backlog');
      this.list.insertBefore(view.el, at);
      return view;
    });
    // Below every turn shown; oldest first on the wire, so the newest of them gets the highest (drawn first).
    this.prepended -= fresh.length;
    fresh.forEach((view, i) => {
      this.order.set(view, this.prepended + i);
      this.markDirty(view);
    });
    this.page.older = Math.max(0, this.page.older - turns.length);
    if (this.page.older === 0) this.page = null;
  }

  private addTurn(turn: Turn): TurnView {
    const view = new TurnView(this.ctx, turn, this.deps.now());
    this.order.set(view, this.added++);
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
    this.deps.post(this.editing ? { type: 'editLast', text } : { type: 'ask', text });
    this.question.value = '';
    this.cancelEdit();
    // Asking is a sign the reader wants to see the answer: follow it.
    this.follow();
  }

  /** Put the last question in the box to edit and resend it. */
  private startEdit(): void {
    const last = this.latest?.turn.question.text;
    if (last === undefined || this.runningTurnId) return;
    this.editing = true;
    this.question.value = String(last);
    this.question.setAttribute('aria-describedby', 'edit-banner-text');
    this.editBanner.hidden = false;
    this.deps.root.classList.add('editing');
    this.question.focus();
  }

  private cancelEdit(): void {
    if (!this.editing) return;
    this.editing = false;
    this.question.value = '';
    this.question.removeAttribute('aria-describedby');
    this.editBanner.hidden = true;
    this.deps.root.classList.remove('editing');
  }

  private renderRunning(): void {
    const running = this.runningTurnId !== null;
    const hasTurns = this.turns.size > 0;
    this.stop.hidden = !running;
    this.send.hidden = running;
    setButtonDisabled(this.send, running || !this.strings);
    this.regenerate.hidden = running || !hasTurns;
    this.edit.hidden = running || !hasTurns;
    this.newChat.hidden = running || !hasTurns;
    if (running) this.cancelEdit();
    this.deps.root.classList.toggle('running', running);
  }

  /** Queue words for the screen reader; they are spoken (politely) at the next frame, a finished block at a time. */
  private announce(text: string): void {
    if (!text) return;
    this.spoken.push(text.length > 600 ? `${text.slice(0, 600)}…` : text);
  }

  private atBottom(): boolean {
    const list = this.list;
    return list.scrollHeight - list.scrollTop - list.clientHeight <= stickSlack;
  }

  /**
   * Only the reader stops the following. A scroll away from the bottom stops it when it comes within a moment of a
   * wheel turned up, a touch, a scrolling key or a focus move, or while a pointer is held (the scroll bar, a
   * selection being dragged); or when the view moved while the content stayed the size it was when the view was put
   * at the bottom (a screen reader, a search, a scroll into view). Otherwise layout left it short of the bottom
   * (content that shrank or grew between the scroll and its event, a toolbar drawn late, the view made smaller
   * before the event of our own scroll came): it keeps following, back at the bottom. Reaching the bottom resumes it.
   */
  private onScroll(): void {
    const list = this.list;
    const moved = Math.abs(list.scrollTop - this.pinnedTop) > 1;
    if (this.atBottom()) this.following = true;
    else if (this.pointerHeld || this.deps.now() - this.scrolledAt < intentMs) this.following = false;
    else if (this.following && (!moved || list.scrollHeight !== this.pinnedHeight)) this.pin();
    else this.following = false;
    // Written only when it changes: this runs at every frame of a stream, and each write is a DOM mutation.
    if (this.jump.hidden !== this.following) this.jump.hidden = this.following;
  }

  /** Put the view at the bottom, noting the content's height then. */
  private pin(): void {
    const height = this.list.scrollHeight;
    this.list.scrollTop = height;
    this.pinnedHeight = height;
    this.pinnedTop = this.list.scrollTop;
  }

  private jumpToLatest(): void {
    this.list.focus();
    this.follow();
    this.pin();
    this.jump.hidden = true;
  }

  /**
   * Follow the output from now on. What the reader did before (a wheel, a key, a control clicked or focused in the
   * chat, Jump to latest's own focus of the list) no longer counts: within its second, a layout move after a question
   * was taken for the reader scrolling away.
   */
  private follow(): void {
    this.following = true;
    this.scrolledAt = -Infinity;
  }

  private requestFrame(): void {
    if (!this.frameRequested) {
      this.frameRequested = true;
      this.deps.requestFrame(() => this.frame());
    }
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
    this.requestFrame();
  }

  /**
   * One frame of rendering. The newest turns first, and the `alwaysRendered` newest whatever they cost (a streaming
   * turn is one of them); older ones only while the frame has time left, the rest in the next frames. So a chat of
   * hundreds of turns opens at its end at once and fills in above, instead of freezing the view until all is drawn.
   */
  private frame(budgetMs = frameBudgetMs): void {
    this.frameRequested = false;
    if (this.dirty.size > 0) {
      const list = this.list;
      const now = this.deps.now();
      const views = [...this.dirty].reverse();
      const newest = this.added - alwaysRendered;
      for (const v of views) {
        if ((this.order.get(v) ?? 0) < newest && this.deps.now() - now > budgetMs) continue;
        if (!v.frame(now)) this.dirty.delete(v);
      }
      // Screen readers wait while older turns are still being drawn.
      if (this.page || [...this.dirty].some((v) => (this.order.get(v) ?? 0) < newest)) list.setAttribute('aria-busy', 'true');
      else list.removeAttribute('aria-busy');
      // Follow the output only while the reader is at the bottom; otherwise offer the way back.
      if (this.following) this.pin();
      else if (this.jump.hidden) this.jump.hidden = false;
      if (this.dirty.size > 0) this.requestFrame();
    }
    if (this.endPending && this.dirty.size === 0) {
      this.endPending = false;
      if (this.strings) this.spoken.push(this.strings.answerFinished);
    }
    if (this.spoken.length > 0) {
      this.live.textContent = this.spoken.join(' ');
      this.spoken = [];
    }
  }
}
