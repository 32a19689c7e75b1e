/**
 * Any number of chats. The store keeps them on disk; the manager keeps the ones in use as live ChatSessions, saves
 * each while it streams (throttled, and at once when a run ends), and gives each surface (the sidebar, the panel) a
 * slot that shows one current chat and can switch to another.
 */
import * as vscode from 'vscode';
import { ChatSession, type RunSetup, type SessionChange } from './chatSession';
import type { ChatStore, StoreProblem } from './chatStore';
import { SaveThrottle } from './saveThrottle';
import { type ChatRecord, type ChatSummary, chatText, summarize } from './storedChat';

/** One surface's current chat. */
export class ChatSlot implements vscode.Disposable {
  private readonly _onDidSwitch = new vscode.EventEmitter<ChatSession>();
  /** The slot now shows another chat. */
  readonly onDidSwitch = this._onDidSwitch.event;

  constructor(
    readonly name: 'sidebar' | 'panel',
    private current: ChatSession,
  ) {}

  get session(): ChatSession {
    return this.current;
  }

  /** @internal the manager switches slots */
  set(session: ChatSession): void {
    if (session === this.current) return;
    this.current = session;
    this._onDidSwitch.fire(session);
  }

  dispose(): void {
    this._onDidSwitch.dispose();
  }
}

interface Live {
  readonly session: ChatSession;
  readonly saver: SaveThrottle;
  readonly subscription: vscode.Disposable;
}

/** The old single-chat format kept in workspaceState (before the store). */
interface MementoChat {
  readonly version: 1;
  readonly chatId: string;
  readonly turns: ChatRecord['turns'];
  readonly conversation?: ChatRecord['conversation'];
}

const legacyKeys = { sidebar: 'codeTutor.chat.sidebar', panel: 'codeTutor.chat.panel' } as const;
const migratedKey = 'codeTutor.chats.migrated';
const currentKey = (slot: string) => `codeTutor.chats.current.${slot}`;

export class ChatManager implements vscode.Disposable {
  private readonly _onDidChangeHistory = new vscode.EventEmitter<void>();
  /** A chat was added, removed, renamed, or got a new turn. */
  readonly onDidChangeHistory = this._onDidChangeHistory.event;
  private readonly _onDidChangeRunning = new vscode.EventEmitter<boolean>();
  /** Some chat started or stopped running. */
  readonly onDidChangeRunning = this._onDidChangeRunning.event;

  private readonly live = new Map<string, Live>();
  /** Chats whose History entry changed while an answer streamed: the list is redrawn when the run ends. */
  private readonly historyPending = new Set<string>();
  private summaries = new Map<string, ChatSummary>();
  readonly sidebar: ChatSlot;
  readonly panel: ChatSlot;
  private running = false;
  private readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly store: ChatStore,
    private readonly setup: RunSetup,
    /** Where the current chat of each slot is remembered (an id, not the chat). */
    private readonly memento: vscode.Memento,
  ) {
    this.sidebar = new ChatSlot('sidebar', this.adopt(new ChatSession(undefined, setup)));
    this.panel = new ChatSlot('panel', this.adopt(new ChatSession(undefined, setup)));
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  /** Resolves once the history was read (so an empty list is not shown while it loads). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  private get untitled(): string {
    return vscode.l10n.t('New chat');
  }

  /** Read the history, move the old memento chats into the store once, reopen each slot's last chat. */
  async init(): Promise<StoreProblem[]> {
    try {
      await this.migrate();
    } catch (e) {
      this.setup.log.error(`could not move the old chats into the chat store: ${e instanceof Error ? e.message : String(e)}`);
    }
    let listed: Awaited<ReturnType<ChatStore['list']>>;
    try {
      listed = await this.store.list(this.untitled);
    } finally {
      this.markReady();
    }
    const { summaries, problems } = listed;
    // A chat saved while the folder was being read (a first question answered before the list came back) is newer
    // than what the list read: keep it, or the History would lose it until its next save.
    const savedMeanwhile = this.summaries;
    this.summaries = new Map(summaries.map((s) => [s.id, s]));
    for (const [id, s] of savedMeanwhile) this.summaries.set(id, s);
    for (const slot of [this.sidebar, this.panel]) {
      const id = this.memento.get<string>(currentKey(slot.name));
      if (id && this.summaries.has(id) && slot.session.turnCount === 0) await this.open(id, slot);
    }
    this._onDidChangeHistory.fire();
    // Whatever was in the trash when the last window closed is gone for good now.
    void this.store.emptyTrash().catch(() => undefined);
    return problems;
  }

  private async migrate(): Promise<void> {
    if (this.memento.get<boolean>(migratedKey)) return;
    for (const [slot, key] of Object.entries(legacyKeys)) {
      const old = this.memento.get<MementoChat>(key);
      if (old?.version !== 1 || !Array.isArray(old.turns) || old.turns.length === 0) continue;
      const now = Date.now();
      const id = /^[A-Za-z0-9_-]{1,100}$/.test(old.chatId) ? old.chatId : `chat_migrated_${slot}`;
      try {
        await this.store.save({ id, createdAt: now, updatedAt: now, turns: old.turns, conversation: old.conversation ?? {}, state: {} });
        await this.memento.update(currentKey(slot), id);
        await this.memento.update(key, undefined);
        this.setup.log.info(`moved the ${slot} chat from workspace state into the chat store (${old.turns.length} turns)`);
      } catch (e) {
        this.setup.log.error(`could not move the ${slot} chat into the chat store: ${e instanceof Error ? e.message : String(e)}`);
        return; // try again next time
      }
    }
    await this.memento.update(migratedKey, true);
  }

  /** History, newest first. */
  list(): ChatSummary[] {
    return [...this.summaries.values()].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  get isRunning(): boolean {
    return [...this.live.values()].some((l) => l.session.isRunning);
  }

  private adopt(session: ChatSession): ChatSession {
    const saver = new SaveThrottle(() => this.save(session), 1000, (e) =>
      this.setup.log.error(`could not save chat ${session.id}: ${e instanceof Error ? e.message : String(e)}`),
    );
    const subscription = session.onDidChange((c) => this.changed(saver, c));
    this.live.set(session.id, { session, saver, subscription });
    return session;
  }

  private changed(saver: SaveThrottle, c: SessionChange): void {
    if (c.type === 'event' && c.event.kind === 'run.finished') void saver.now();
    else saver.changed();
    if (c.type !== 'event' || c.event.kind === 'run.finished') this.refreshRunning();
  }

  /** Tell listeners (the Stop button's context key) when "some chat is running" changes. */
  private refreshRunning(): void {
    const running = [...this.live.values()].some((l) => l.session.isRunning);
    if (running === this.running) return;
    this.running = running;
    this._onDidChangeRunning.fire(running);
  }

  private async save(session: ChatSession): Promise<void> {
    if (session.turnCount === 0) return; // an empty new chat is not history yet
    const record = session.toRecord();
    await this.store.save(record);
    // A slot reopens its chat after a reload: remember it once it is history (a new chat becomes so at its first save).
    for (const slot of [this.sidebar, this.panel]) {
      if (slot.session === session && this.memento.get<string>(currentKey(slot.name)) !== record.id) await this.memento.update(currentKey(slot.name), record.id);
    }
    const known = this.summaries.get(record.id);
    const next = summarize(record, this.untitled);
    this.summaries.set(record.id, next);
    const changed = !known || known.title !== next.title || known.turnCount !== next.turnCount || known.mode !== next.mode;
    // Not while an answer streams: the History's redraw runs in the window the chat view shares, and in the middle
    // of a stream it held the next words back (the slowest 1 % of stream-to-screen latency). The list is redrawn
    // with the save at the run's end.
    if (session.isRunning) {
      if (changed) this.historyPending.add(record.id);
    } else if (changed || this.historyPending.delete(record.id)) this._onDidChangeHistory.fire();
  }

  /** Start a new chat in a slot (the chat it showed stays in the history). */
  newChat(slot: ChatSlot): ChatSession {
    if (slot.session.turnCount === 0) return slot.session;
    const session = this.adopt(new ChatSession(undefined, this.setup));
    this.show(slot, session);
    return session;
  }

  /** Show a saved chat in a slot. Returns the problem if its file cannot be read. */
  async open(id: string, slot: ChatSlot): Promise<StoreProblem | undefined> {
    const live = this.live.get(id);
    if (live) {
      this.show(slot, live.session);
      return undefined;
    }
    const loaded = await this.store.load(id);
    if ('problem' in loaded) return loaded.problem;
    const again = this.live.get(id); // opened meanwhile
    this.show(slot, again ? again.session : this.adopt(new ChatSession(loaded.record, this.setup)));
    return undefined;
  }

  private show(slot: ChatSlot, session: ChatSession): void {
    const previous = slot.session;
    slot.set(session);
    void this.memento.update(currentKey(slot.name), session.id);
    this.release(previous);
  }

  /** Forget a live session nobody shows and that is not running (after saving what it has). */
  private release(session: ChatSession): void {
    if (session.isRunning || this.sidebar.session === session || this.panel.session === session) return;
    const live = this.live.get(session.id);
    if (!live) return;
    this.live.delete(session.id);
    live.subscription.dispose();
    void live.saver.dispose().finally(() => session.dispose());
  }

  async rename(id: string, title: string): Promise<void> {
    const live = this.live.get(id);
    if (live) {
      live.session.rename(title);
      await live.saver.now();
      return;
    }
    const loaded = await this.store.load(id);
    if ('problem' in loaded) throw new Error(`${loaded.problem.file}: ${loaded.problem.reason}`);
    const record: ChatRecord = { ...loaded.record, updatedAt: Date.now(), ...(title.trim() ? { title: title.trim() } : {}) };
    await this.store.save(record);
    this.summaries.set(id, summarize(record, this.untitled));
    this._onDidChangeHistory.fire();
  }

  /** Move a chat to the trash (a slot that showed it gets a new chat). Undo with `restore`. */
  async delete(id: string): Promise<boolean> {
    const live = this.live.get(id);
    if (live) {
      live.session.stop();
      for (const slot of [this.sidebar, this.panel]) {
        if (slot.session === live.session) this.show(slot, this.adopt(new ChatSession(undefined, this.setup)));
      }
      this.live.delete(id);
      live.subscription.dispose();
      await live.saver.dispose();
      live.session.dispose();
      this.refreshRunning(); // its run.finished no longer reaches us
    }
    const done = await this.store.trash(id);
    this.summaries.delete(id);
    this.historyPending.delete(id);
    this._onDidChangeHistory.fire();
    return done;
  }

  async restore(id: string): Promise<boolean> {
    if (!(await this.store.restore(id))) return false;
    const loaded = await this.store.load(id);
    if ('record' in loaded) this.summaries.set(id, summarize(loaded.record, this.untitled));
    this._onDidChangeHistory.fire();
    return true;
  }

  /** A chat with its images, for export: the live one if it is open, else from the store. */
  async record(id: string): Promise<ChatRecord | StoreProblem> {
    const live = this.live.get(id);
    if (live) return live.session.toRecord();
    const loaded = await this.store.load(id);
    return 'record' in loaded ? loaded.record : loaded.problem;
  }

  /** Chats whose title or content contains every word of `query` (case-insensitive), newest first. */
  async search(query: string): Promise<ChatSummary[]> {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const found: ChatSummary[] = [];
    for (const s of this.list()) {
      const r = await this.record(s.id);
      if (!('id' in r) || !('turns' in r)) continue;
      const text = chatText(r).toLowerCase();
      if (words.every((w) => text.includes(w))) found.push(s);
    }
    return found;
  }

  /** Save everything now (the window is closing). */
  async flush(): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => l.saver.now()));
    await this.store.flush();
  }

  dispose(): void {
    for (const l of this.live.values()) {
      l.subscription.dispose();
      void l.saver.dispose();
      l.session.dispose();
    }
    this.live.clear();
    this.sidebar.dispose();
    this.panel.dispose();
    this._onDidChangeHistory.dispose();
    this._onDidChangeRunning.dispose();
  }
}
