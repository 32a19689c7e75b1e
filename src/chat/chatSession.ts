/**
 * One chat: its turns (question + run transcript), where its conversation continues from, and its running run.
 * The host owns this truth and persists it; webviews get a snapshot, then live events.
 */
import * as vscode from 'vscode';
import type { LocalInterpreter } from '../engine/interpreter/localInterpreter';
import type { ConversationRef, Provider, RunRequest } from '../engine/provider';
import { RunStream } from '../engine/runStream';
import type { FunctionTool } from '../engine/tools/functionTool';
import type { RunError, StreamEvent } from '../shared/events';
import type { ChatSnapshot, Question, Turn } from '../shared/protocol';
import { type RunTranscript, emptyTranscript, reduce } from '../shared/transcript';

export type SessionChange = { readonly type: 'reset' } | { readonly type: 'turnStarted'; readonly turn: Turn } | { readonly type: 'event'; readonly turnId: string; readonly event: StreamEvent };

/** What a run needs that the session does not own: a provider for the current settings and key, and tools. */
export interface RunSetup {
  /** A provider, or the error that keeps us from making one (no key, bad URL). */
  provider(): Promise<Provider | RunError>;
  tools(): readonly FunctionTool[];
  readonly log: vscode.LogOutputChannel;
  /** Code that runs on this computer (run_python): whether the settings want it, and a chat's runtime. */
  readonly interpreter?: { mode(): 'hosted' | 'local' | 'off'; create(): LocalInterpreter | undefined };
}

interface StoredChat {
  readonly version: 1;
  readonly chatId: string;
  readonly turns: Turn[];
  readonly conversation: ConversationRef;
}

const maxStoredTurns = 50;

function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export class ChatSession implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<SessionChange>();
  /** Fires for every change a view must show. */
  readonly onDidChange = this._onDidChange.event;

  private chatId = newId('chat');
  private turns: Turn[] = [];
  private conversation: ConversationRef = {};
  private running: { turnId: string; run: RunStream } | undefined;
  private codeInterpreter = true;
  private starting = false;
  /** This chat's local interpreter (one Python namespace per chat), made when first needed. */
  private local: LocalInterpreter | undefined;

  constructor(
    private readonly storageKey: string,
    private readonly memento: vscode.Memento,
    private readonly setup: RunSetup,
  ) {
    const stored = memento.get<StoredChat>(storageKey);
    if (stored?.version === 1 && Array.isArray(stored.turns)) {
      this.chatId = stored.chatId;
      // A run that was streaming when VS Code closed did not finish: show it as stopped, not spinning.
      this.turns = stored.turns.map((t) => (t.run.status === 'in_progress' ? { ...t, run: reduce(t.run, { kind: 'run.finished', status: 'cancelled' }) } : t));
      this.conversation = stored.conversation ?? {};
    }
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  snapshot(): ChatSnapshot {
    return { chatId: this.chatId, turns: this.turns, runningTurnId: this.running?.turnId ?? null };
  }

  findCode(turnId: string, itemId: string): string | undefined {
    const item = this.turns.find((t) => t.id === turnId)?.run.items.find((i) => i.id === itemId);
    return item?.type === 'code' ? item.code : undefined;
  }

  findOutput(turnId: string, itemId: string, index: number) {
    const item = this.turns.find((t) => t.id === turnId)?.run.items.find((i) => i.id === itemId);
    return item?.type === 'code' ? item.outputs[index] : undefined;
  }

  lastQuestion(): Question | undefined {
    return this.turns.at(-1)?.question;
  }

  /** Continue without the code interpreter after a server said it does not have it. */
  disableCodeInterpreter(): void {
    this.codeInterpreter = false;
  }

  /** Start a run for a question. Returns false (and changes nothing) while another run is going. */
  async ask(question: Question): Promise<boolean> {
    if (this.running || this.starting) return false;
    this.starting = true;
    let provider: Provider | RunError;
    try {
      provider = await this.setup.provider();
    } finally {
      this.starting = false;
    }
    const turn: Turn = { id: newId('turn'), question, run: emptyTranscript };
    this.turns = [...this.turns, turn];
    if (!('stream' in provider)) {
      this._onDidChange.fire({ type: 'turnStarted', turn });
      const event: StreamEvent = { kind: 'run.finished', status: 'failed', error: provider };
      this.apply(turn.id, event, reduce(turn.run, event));
      return true;
    }
    const chatId = this.chatId;
    const mode = this.setup.interpreter?.mode() ?? 'hosted';
    const wantsLocal = mode === 'local';
    if (wantsLocal) this.local ??= this.setup.interpreter?.create();
    if (wantsLocal && !this.local) this.setup.log.warn('code should run locally, but this build has no local interpreter: answering without running code');
    const request: RunRequest = {
      question,
      conversation: this.conversation,
      codeInterpreter: this.codeInterpreter && mode !== 'off' && !(wantsLocal && !this.local),
      tools: this.setup.tools(),
      ...(wantsLocal && this.local ? { localInterpreter: this.local } : {}),
      // Chat completions are stateless: the provider hands back the conversation to continue from.
      onConversation: (c) => {
        if (this.chatId === chatId) this.conversation = { ...this.conversation, ...c }; // not after New Chat
      },
    };
    this.setup.log.info(`run ${turn.id}: ${provider.protocol}, ${question.text.length} chars${question.context ? `, selection of ${question.context.file}` : ''}`);
    const run = RunStream.start(provider, request);
    this.running = { turnId: turn.id, run };
    this._onDidChange.fire({ type: 'turnStarted', turn });
    // RunStream already reduced the event: take its snapshot instead of reducing a second time.
    run.on('event', (e, snapshot) => this.apply(turn.id, e, snapshot));
    return true;
  }

  stop(): void {
    this.running?.run.abort();
  }

  /** Forget the conversation and start over (a running run is stopped first). */
  reset(): void {
    this.stop();
    this.running = undefined;
    this.chatId = newId('chat');
    this.turns = [];
    this.conversation = {};
    this.codeInterpreter = true;
    this.local?.dispose();
    this.local = undefined;
    this.persist();
    this._onDidChange.fire({ type: 'reset' });
  }

  private apply(turnId: string, event: StreamEvent, run: RunTranscript): void {
    const i = this.turns.findLastIndex((t) => t.id === turnId);
    if (i < 0) return; // the chat was reset meanwhile
    const next = this.turns.slice();
    next[i] = { ...next[i], run };
    this.turns = next;
    // The run is over as soon as its last event is in: listeners (the Stop button's context key) must see that now.
    if (event.kind === 'run.finished') this.finish(turnId, run);
    this._onDidChange.fire({ type: 'event', turnId, event });
  }

  private finish(turnId: string, t: RunTranscript): void {
    if (this.running?.turnId === turnId) this.running = undefined;
    // Continue from this answer only when the server finished it; a failed or stopped one may not exist there.
    if ((t.status === 'completed' || t.status === 'incomplete') && (t.responseId || t.threadId)) {
      this.conversation = {
        ...this.conversation,
        ...(t.responseId ? { responseId: t.responseId } : {}),
        ...(t.threadId ? { threadId: t.threadId } : {}),
        ...(t.assistantId ? { assistantId: t.assistantId } : {}),
      };
    }
    this.setup.log.info(`run ${turnId}: ${t.status}${t.error ? ` (${t.error.kind}: ${t.error.message})` : ''}`);
    this.persist();
  }

  private persist(): void {
    const stored: StoredChat = { version: 1, chatId: this.chatId, turns: this.turns.slice(-maxStoredTurns), conversation: this.conversation };
    void this.memento.update(this.storageKey, stored);
  }

  dispose(): void {
    this.stop();
    this.local?.dispose();
    this._onDidChange.dispose();
  }
}
