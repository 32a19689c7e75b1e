/**
 * One chat: its turns (question + run transcript), where its conversation continues from, and its running run.
 * The host owns this truth and persists it; webviews get a snapshot, then live events.
 */
import * as vscode from 'vscode';
import type { ConversationRef, Provider, RunRequest } from '../engine/provider';
import { RunStream } from '../engine/runStream';
import type { FunctionTool } from '../engine/tools/functionTool';
import type { RunError, StreamEvent } from '../shared/events';
import type { ChatSnapshot, Question, Turn } from '../shared/protocol';
import { type RunTranscript, emptyTranscript, reduce } from '../shared/transcript';
import { type CourseRules, defaultRules, effectiveMode, type EffectiveMode } from '../tutor/courseRules';
import type { HintGuard } from '../tutor/hintGuard';
import { isTutorMode, type TutorMode } from '../tutor/modes';
import { guardedProvider, tutorRequest } from '../tutor/tutorRun';

export type SessionChange = { readonly type: 'reset' } | { readonly type: 'mode' } | { readonly type: 'turnStarted'; readonly turn: Turn } | { readonly type: 'event'; readonly turnId: string; readonly event: StreamEvent };

/** What a run needs that the session does not own: a provider for the current settings and key, and tools. */
export interface RunSetup {
  /** A provider, or the error that keeps us from making one (no key, bad URL). */
  provider(): Promise<Provider | RunError>;
  tools(): readonly FunctionTool[];
  readonly log: vscode.LogOutputChannel;
  /** The course rules in force and the `codeTutor.mode` default (issue 6). Absent: explain mode, no course. */
  tutor?(): Promise<TutorInputs>;
}

export interface TutorInputs {
  readonly rules: CourseRules;
  readonly defaultMode: TutorMode;
}

interface StoredChat {
  readonly version: 1;
  readonly chatId: string;
  readonly turns: Turn[];
  readonly conversation: ConversationRef;
  /** The learner's mode choice for this chat. */
  readonly mode?: TutorMode;
  /** Code withheld in hint/review mode, by `turnId itemId`: host-only, for "Show the code anyway". */
  readonly withheld?: Record<string, string>;
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
  private modeChoice: TutorMode | undefined;
  private readonly withheld = new Map<string, string>();
  private readonly guards = new Map<string, HintGuard>();
  private lastInstructions: string | undefined;

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
      if (isTutorMode(stored.mode)) this.modeChoice = stored.mode;
      for (const [k, v] of Object.entries(stored.withheld ?? {})) if (typeof v === 'string') this.withheld.set(k, v);
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
    // Withheld code is never inserted or copied from here (hint/review mode), even once revealed.
    return item?.type === 'code' && !item.withheld ? item.code : undefined;
  }

  /** The mode this chat runs in under these rules. */
  effectiveMode(inputs: TutorInputs): EffectiveMode {
    return effectiveMode(inputs.rules, inputs.defaultMode, this.modeChoice);
  }

  /** The learner switched mode. False when the course does not allow that mode. */
  setMode(mode: TutorMode, inputs: TutorInputs): boolean {
    if (!this.effectiveMode(inputs).allowed.includes(mode)) return false;
    this.modeChoice = mode;
    this.persist();
    this._onDidChange.fire({ type: 'mode' });
    return true;
  }

  /** The instructions the last run of this chat sent, if any ran since the window opened. */
  get instructions(): string | undefined {
    return this.lastInstructions;
  }

  /**
   * "Show the code anyway": record the reveal in the turn (the chat keeps it) and show it. The caller checks the
   * course allows it. `running`: the turn is still streaming; `missing`: no such withheld code.
   */
  reveal(turnId: string, itemId: string): 'revealed' | 'running' | 'missing' {
    if (this.running?.turnId === turnId) return 'running';
    const code = this.withheld.get(`${turnId} ${itemId}`);
    const i = this.turns.findIndex((t) => t.id === turnId);
    if (code === undefined || i < 0) return 'missing';
    const event: StreamEvent = { kind: 'withheld.revealed', id: itemId, code };
    const run = reduce(this.turns[i].run, event);
    if (run === this.turns[i].run) return 'missing';
    this.setup.log.info(`run ${turnId}: the learner revealed withheld code ${itemId}`);
    const next = this.turns.slice();
    next[i] = { ...next[i], run };
    this.turns = next;
    this.persist();
    this._onDidChange.fire({ type: 'event', turnId, event });
    return 'revealed';
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
    let inputs: TutorInputs;
    try {
      inputs = (await this.setup.tutor?.()) ?? { rules: defaultRules, defaultMode: 'explain' };
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
    const tutor = { mode: this.effectiveMode(inputs).mode, rules: inputs.rules };
    const request: RunRequest = tutorRequest({ question, conversation: this.conversation, codeInterpreter: this.codeInterpreter, tools: this.setup.tools() }, tutor);
    this.lastInstructions = request.instructions;
    const guarded = guardedProvider(provider, tutor);
    if (guarded.guard) this.guards.set(turn.id, guarded.guard);
    this.setup.log.info(`run ${turn.id}: ${provider.protocol}, ${tutor.mode} mode, ${question.text.length} chars${question.context ? `, selection of ${question.context.file}` : ''}`);
    const run = RunStream.start(guarded.provider, request);
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
    this.modeChoice = undefined;
    this.withheld.clear();
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
    // What the hint guard withheld stays with the chat (host side only), for "Show the code anyway".
    for (const [id, w] of this.guards.get(turnId)?.withheld() ?? []) this.withheld.set(`${turnId} ${id}`, w.code);
    this.guards.delete(turnId);
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
    const turns = this.turns.slice(-maxStoredTurns);
    const kept = new Set(turns.map((t) => t.id));
    const withheld = Object.fromEntries([...this.withheld].filter(([k]) => kept.has(k.slice(0, k.indexOf(' ')))));
    const stored: StoredChat = { version: 1, chatId: this.chatId, turns, conversation: this.conversation, ...(this.modeChoice ? { mode: this.modeChoice } : {}), withheld };
    void this.memento.update(this.storageKey, stored);
  }

  dispose(): void {
    this.stop();
    this._onDidChange.dispose();
  }
}
