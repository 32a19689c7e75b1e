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
import { withReport, withoutTurn } from './droppedExchange';
import { type ChatRecord, newChatId } from './storedChat';
import type { ChatSnapshot, Question, Turn } from '../shared/protocol';
import type { LearnerRecord } from '../shared/learner';
import { type RunTranscript, emptyTranscript, reduce } from '../shared/transcript';
import { type CourseRules, defaultRules, effectiveMode, type EffectiveMode } from '../tutor/courseRules';
import type { HintGuard } from '../tutor/hintGuard';
import { isTutorMode, type TutorMode } from '../tutor/modes';
import { predictionNotes } from '../tutor/predict/predictionNotes';
import { guardedProvider, tutorRequest } from '../tutor/tutorRun';

export type SessionChange =
  | { readonly type: 'reset' }
  /** The learner switched this chat's tutor mode. */
  | { readonly type: 'mode' }
  | { readonly type: 'turnStarted'; readonly turn: Turn }
  | { readonly type: 'event'; readonly turnId: string; readonly event: StreamEvent }
  /** A turn's learner record changed (a prediction, a quiz answer). */
  | { readonly type: 'learner'; readonly turnId: string; readonly learner: LearnerRecord }
  /** Turns were removed (regenerate, edit and resend) or the title or state changed: views take a new snapshot. */
  | { readonly type: 'changed' };

/** How one question is asked beyond its text (src/tutor: quiz, review, predict-then-run). */
export interface AskOptions {
  /** Tools offered for this question only, besides the setup's. */
  readonly tools?: readonly FunctionTool[];
  /** The whole message sent instead of the question (which is still what the chat shows). */
  readonly prompt?: string;
  /** The turn's learner record to start with. */
  readonly learner?: LearnerRecord;
  /** Run this question in this mode (e.g. "Review My Code" in review mode), when the course allows it. */
  readonly mode?: TutorMode;
}

/** What a run needs that the session does not own: a provider for the current settings and key, and tools. */
export interface RunSetup {
  /** A provider, or the error that keeps us from making one (no key, bad URL). */
  provider(): Promise<Provider | RunError>;
  tools(): readonly FunctionTool[];
  readonly log: vscode.LogOutputChannel;
  /** The course rules in force and the `codeTutor.mode` default (issue 6). Absent: explain mode, no course. */
  tutor?(): Promise<TutorInputs>;
  /** Hide interpreter output until the learner predicts it (setting or course). */
  predictBeforeRun?(): boolean;
  /**
   * Code that runs on this computer (run_python): whether the settings want it, and a chat's runtime. `warmOnOpen`:
   * the runtime has a slow start (Pyodide), so a chat that is shown starts it at once (see ChatSession.prewarm).
   */
  readonly interpreter?: { mode(): 'hosted' | 'local' | 'off'; create(): LocalInterpreter | undefined; warmOnOpen?(): boolean };
}

export interface TutorInputs {
  readonly rules: CourseRules;
  readonly defaultMode: TutorMode;
}

function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export class ChatSession implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<SessionChange>();
  /** Fires for every change a view must show. */
  readonly onDidChange = this._onDidChange.event;

  private chatId = newChatId();
  private turns: Turn[] = [];
  private conversation: ConversationRef = {};
  private title: string | undefined;
  private createdAt = Date.now();
  private updatedAt = this.createdAt;
  private state: Record<string, unknown> = {};
  private running: { turnId: string; run: RunStream } | undefined;
  private codeInterpreter = true;
  private starting = false;
  private modeChoice: TutorMode | undefined;
  private readonly withheld = new Map<string, string>();
  private readonly guards = new Map<string, HintGuard>();
  private lastInstructions: string | undefined;
  /** This chat's local interpreter (one Python namespace per chat), made when first needed. */
  private local: LocalInterpreter | undefined;

  /** A new chat, or one restored from the store (its follow-ups continue the same conversation on the server). */
  constructor(
    stored: ChatRecord | undefined,
    private readonly setup: RunSetup,
  ) {
    if (stored) {
      this.chatId = stored.id;
      // A run that was streaming when VS Code closed did not finish: show it as stopped, not spinning.
      this.turns = stored.turns.map((t) => (t.run.status === 'in_progress' ? { ...t, run: reduce(t.run, { kind: 'run.finished', status: 'cancelled' }) } : t));
      this.conversation = stored.conversation ?? {};
      this.title = stored.title;
      this.createdAt = stored.createdAt;
      this.updatedAt = stored.updatedAt;
      this.state = { ...stored.state };
      if (isTutorMode(stored.state.mode)) this.modeChoice = stored.state.mode;
      const withheld = stored.state.withheld;
      if (withheld && typeof withheld === 'object') for (const [k, v] of Object.entries(withheld)) if (typeof v === 'string') this.withheld.set(k, v);
    }
  }

  get id(): string {
    return this.chatId;
  }

  /**
   * The chat is shown (a view opened it, or switched to it): if its code will run locally in a runtime with a slow
   * start (Pyodide: a few seconds), make this chat's interpreter now, which starts it, so the cold start is spent while
   * the learner reads and types instead of after the question. The first question then uses this interpreter. Cheap
   * to call again; does nothing for hosted or no interpreter, or the learner's own Python (it starts per cell).
   */
  prewarm(): void {
    const i = this.setup.interpreter;
    if (this.local || !i?.warmOnOpen?.() || i.mode() !== 'local') return;
    try {
      this.local = i.create();
    } catch (e) {
      // The first question tries again and reports what is wrong.
      this.setup.log.warn(`could not start the local interpreter ahead of the first question: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  get turnCount(): number {
    return this.turns.length;
  }

  /** The chat as the store keeps it. */
  toRecord(): ChatRecord {
    return {
      id: this.chatId,
      ...(this.title ? { title: this.title } : {}),
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      turns: this.turns,
      conversation: this.conversation,
      // The tutor mode the learner chose and the code hint mode withheld (host-only, for "Show the code anyway").
      state: {
        ...this.state,
        ...(this.modeChoice ? { mode: this.modeChoice } : {}),
        ...(this.withheld.size ? { withheld: Object.fromEntries(this.withheld) } : {}),
      },
    };
  }

  rename(title: string): void {
    this.title = title.trim() || undefined;
    this.touch();
  }

  /** A value other features keep with the chat (mode, course, predictions …); plain JSON. */
  getState(key: string): unknown {
    return this.state[key];
  }

  setState(key: string, value: unknown): void {
    this.state = { ...this.state, [key]: value };
    this.touch();
  }

  private touch(): void {
    this.updatedAt = Date.now();
    this._onDidChange.fire({ type: 'changed' });
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
    this.updatedAt = Date.now();
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
    this.updatedAt = Date.now();
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
  async ask(question: Question, options: AskOptions = {}): Promise<boolean> {
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
    const predict = this.setup.predictBeforeRun?.() || inputs.rules.predictBeforeRun;
    const learner: LearnerRecord = { ...options.learner, ...(predict ? { predictBeforeRun: true } : {}) };
    const turn: Turn = { id: newId('turn'), question, run: emptyTranscript, ...(Object.keys(learner).length ? { learner } : {}) };
    // Predictions made since the last question go to the tutor with this one (marked as told once it is sent).
    const notes = predictionNotes(this.turns);
    this.turns = [...this.turns, turn];
    this.updatedAt = Date.now();
    if (!('stream' in provider)) {
      this._onDidChange.fire({ type: 'turnStarted', turn });
      const event: StreamEvent = { kind: 'run.finished', status: 'failed', error: provider };
      this.apply(turn.id, event, reduce(turn.run, event));
      return true;
    }
    const effective = this.effectiveMode(inputs);
    const tutor = { mode: options.mode && effective.allowed.includes(options.mode) ? options.mode : effective.mode, rules: inputs.rules };
    // A prompt replaces the whole message (its own code included); otherwise the question goes with its selection.
    if (notes.text) this.turns = [...notes.turns, turn];
    const text = `${options.prompt ?? question.text}${notes.text}`;
    const sent: Question = options.prompt !== undefined ? { text } : { ...question, text };
    const chatId = this.chatId;
    const mode = this.setup.interpreter?.mode() ?? 'hosted';
    const wantsLocal = mode === 'local';
    if (wantsLocal) this.local ??= this.setup.interpreter?.create();
    if (wantsLocal && !this.local) this.setup.log.warn('code should run locally, but no local interpreter could be made: answering without running code');
    const request: RunRequest = tutorRequest(
      {
        question: sent,
        conversation: this.conversation,
        codeInterpreter: this.codeInterpreter && mode !== 'off' && !(wantsLocal && !this.local),
        tools: [...this.setup.tools(), ...(options.tools ?? [])],
        ...(wantsLocal && this.local ? { localInterpreter: this.local } : {}),
        // Chat completions are stateless: the provider hands back the conversation to continue from. A Responses
        // conversation kept here is marked with its turn, so regenerate knows the last exchange is this turn's.
        onConversation: (c) => {
          if (this.chatId === chatId) this.conversation = withReport(this.conversation, c, turn.id); // not after New Chat
        },
        log: (line) => this.setup.log.info(`run ${turn.id}: ${line}`),
      },
      tutor,
    );
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

  /** Ask the last question again, replacing its answer. False while a run is going or with nothing to regenerate. */
  async regenerate(): Promise<boolean> {
    const last = this.turns.at(-1);
    if (!last || this.running || this.starting) return false;
    return this.resend(last.question);
  }

  /** Replace the last question with new text (its selected code stays) and ask it again. */
  async editLast(text: string): Promise<boolean> {
    const last = this.turns.at(-1);
    if (!last || this.running || this.starting || !text.trim()) return false;
    return this.resend({ ...last.question, text: text.trim() });
  }

  private async resend(question: Question): Promise<boolean> {
    const dropped = this.turns.at(-1);
    this.turns = this.turns.slice(0, -1);
    // The server's context loses the dropped exchange too: chat completions' kept messages, the Responses input kept
    // here, an Assistants thread.
    if (dropped) this.conversation = withoutTurn(this.conversation, dropped, this.turns);
    // Continue from the answer before the one dropped (Responses).
    const previous = this.turns.findLast((t) => (t.run.status === 'completed' || t.run.status === 'incomplete') && t.run.responseId)?.run.responseId;
    const { responseId: _dropped, ...rest } = this.conversation;
    this.conversation = previous ? { ...rest, responseId: previous } : rest;
    this._onDidChange.fire({ type: 'changed' });
    return this.ask(question);
  }

  turn(turnId: string): Turn | undefined {
    return this.turns.find((t) => t.id === turnId);
  }

  /** Change a turn's learner record (a prediction, a quiz answer): kept, persisted and shown. */
  updateLearner(turnId: string, change: (old: LearnerRecord) => LearnerRecord): LearnerRecord | undefined {
    const i = this.turns.findIndex((t) => t.id === turnId);
    if (i < 0) return undefined;
    const learner = change(this.turns[i].learner ?? {});
    const next = this.turns.slice();
    next[i] = { ...next[i], learner };
    this.turns = next;
    this.updatedAt = Date.now();
    this._onDidChange.fire({ type: 'learner', turnId, learner });
    return learner;
  }

  /** Forget the conversation and start over (a running run is stopped first). */
  reset(): void {
    this.stop();
    this.running = undefined;
    this.chatId = newChatId();
    this.turns = [];
    this.conversation = {};
    this.title = undefined;
    this.createdAt = this.updatedAt = Date.now();
    this.state = {};
    this.codeInterpreter = true;
    this.modeChoice = undefined;
    this.withheld.clear();
    this.local?.dispose();
    this.local = undefined;
    this._onDidChange.fire({ type: 'reset' });
  }

  private apply(turnId: string, event: StreamEvent, run: RunTranscript): void {
    const i = this.turns.findLastIndex((t) => t.id === turnId);
    if (i < 0) return; // the chat was reset meanwhile
    const next = this.turns.slice();
    next[i] = { ...next[i], run };
    this.turns = next;
    this.updatedAt = Date.now();
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
  }

  dispose(): void {
    this.stop();
    this.local?.dispose();
    this._onDidChange.dispose();
  }
}
