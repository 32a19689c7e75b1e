/**
 * Every message that crosses between the extension host and the webview, declared once for both builds.
 * Each side checks what arrives with a guard before using it: the webview is untrusted input for the host.
 */
import type { ErrorKind, StreamEvent } from './events';
import type { RunTranscript } from './transcript';
import { isTutorMode, type TutorMode } from '../tutor/modes';
import type { LearnerRecord } from './learner';
import { maxPredictionLength } from './prediction';
import { maxQuizAnswerLength } from './quiz';
import { maxLinkLength } from './links';

/** Code the learner selected, sent along with "Explain Selection". */
export interface SelectionContext {
  readonly code: string;
  readonly language: string;
  /** Workspace-relative (or base) file name. */
  readonly file: string;
  /** 1-based, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
}

export interface Question {
  readonly text: string;
  readonly context?: SelectionContext;
}

export interface Turn {
  readonly id: string;
  readonly question: Question;
  readonly run: RunTranscript;
  /** Predictions, quiz answers, what a review was about (src/shared/learner.ts). */
  readonly learner?: LearnerRecord;
}

export interface ChatSnapshot {
  readonly chatId: string;
  readonly turns: readonly Turn[];
  /** Id of the turn whose run is still streaming, if any. */
  readonly runningTurnId: string | null;
}

/** Who answers and where code runs, for the chat header. */
export interface ModelInfo {
  /** The provider's display name (localized on the host). */
  readonly provider: string;
  readonly model: string;
  /** hosted: the server's interpreter; pyodide / python: on this computer; off: no code runs. */
  readonly interpreter: 'hosted' | 'pyodide' | 'python' | 'off';
}

export interface ViewSettings {
  /** Type the explanation in. Off: text appears as it arrives. Reduced motion turns it off in the webview too. */
  readonly typewriter: boolean;
  /** Provider, model and interpreter in use (absent from hosts that do not say). */
  readonly model?: ModelInfo;
}

/** Actions a notice or an error can offer as its next step. */
export type HostAction = 'setApiKey' | 'openSettings' | 'retry' | 'retryWithoutCodeInterpreter' | 'newChat';
export const hostActions: readonly HostAction[] = ['setApiKey', 'openSettings', 'retry', 'retryWithoutCodeInterpreter', 'newChat'];

/** The next steps a failed run offers, by the kind of failure (STYLE habit 9: errors a person can act on). */
export function actionsForError(kind: ErrorKind): readonly HostAction[] {
  switch (kind) {
    case 'auth':
      return ['setApiKey', 'retry'];
    case 'not_found':
    case 'bad_request':
    case 'network':
    case 'usage':
      return ['openSettings', 'retry'];
    case 'tool_unsupported':
      return ['retryWithoutCodeInterpreter', 'openSettings'];
    case 'rate_limit':
    case 'quota':
    case 'server':
    case 'protocol':
      return ['retry'];
    case 'timeout':
    case 'not_api':
      return ['retry', 'openSettings'];
    case 'region':
      return ['openSettings'];
    case 'content_filter':
    case 'too_large':
      return ['newChat'];
    case 'conflict':
      return ['retry', 'newChat'];
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** The webview's string table: English keys, values localized by the host. */
export const uiStringKeys = [
  'placeholder',
  'send',
  'stop',
  'newChat',
  'insert',
  'copy',
  'copied',
  'output',
  'writing',
  'running',
  'done',
  'failed',
  'codeStopped',
  'stopped',
  'incomplete',
  'you',
  'tutor',
  'empty',
  'toolCall',
  'toolResult',
  'setApiKey',
  'openSettings',
  'retry',
  'image',
  'file',
  'save',
  'selection',
  'thinking',
  'dismiss',
  'retryWithoutCodeInterpreter',
  'errorAuth',
  'errorRateLimit',
  'errorQuota',
  'errorNetwork',
  'errorServer',
  'errorBadRequest',
  'errorNotFound',
  'errorToolUnsupported',
  'errorProtocol',
  'errorUsage',
  'modeLabel',
  'modeExplain',
  'modeHint',
  'modeReview',
  'modeSetByCourse',
  'modeLocked',
  'modelInUse',
  'interpreterHosted',
  'interpreterPyodide',
  'interpreterPython',
  'interpreterOff',
  'withheldTitle',
  'withheldTitlePlain',
  'withheldWhy',
  'withheldCode',
  'showCodeAnyway',
  'revealed',
  'reasoning',
  'noticeNoCodeTool',
  'errorContentFilter',
  'errorTimeout',
  'errorRegion',
  'errorTooLarge',
  'errorConflict',
  'errorNotApi',
  'refusal',
  'retrying',
  // Check my understanding, predict-then-run, review remarks (src/shared/learner.ts)
  'checkUnderstanding',
  'quizTitle',
  'quizMalformed',
  'quizCheck',
  'quizYourAnswer',
  'quizRight',
  'quizWrong',
  'quizAnswerWas',
  'quizScore',
  'predictPrompt',
  'predictPlaceholder',
  'predictSubmit',
  'predictSkip',
  'predictYours',
  'predictActual',
  'predictMatch',
  'predictNoMatch',
  'predictWaiting',
  'predictSkipped',
  'remarksTitle',
  'remarkLine',
  'remarkInvalid',
  'severityError',
  'severityWarning',
  'severityInfo',
  'severityHint',
  'replace',
  'openInEditor',
  'codeActionsLabel',
  'regenerate',
  'editLast',
  'cancelEdit',
  'editing',
  'jumpToLatest',
  'showAllOutput',
  'showLessOutput',
  'outputTruncated',
  'traceback',
  'plotAlt',
  'answerFinished',
] as const;

/** The headline string shown above a failed run's message, by kind. */
export const errorHeadlineKey: Readonly<Record<ErrorKind, UiStringKey>> = {
  auth: 'errorAuth',
  rate_limit: 'errorRateLimit',
  quota: 'errorQuota',
  network: 'errorNetwork',
  server: 'errorServer',
  bad_request: 'errorBadRequest',
  not_found: 'errorNotFound',
  tool_unsupported: 'errorToolUnsupported',
  protocol: 'errorProtocol',
  usage: 'errorUsage',
  content_filter: 'errorContentFilter',
  timeout: 'errorTimeout',
  region: 'errorRegion',
  too_large: 'errorTooLarge',
  conflict: 'errorConflict',
  not_api: 'errorNotApi',
};
export type UiStringKey = (typeof uiStringKeys)[number];
export type UiStrings = Readonly<Record<UiStringKey, string>>;

export type HostToWebview =
  | {
      readonly type: 'snapshot';
      /** A long chat's snapshot holds its newest turns; `page.older` more follow in `olderTurns` messages. */
      readonly chat: ChatSnapshot;
      readonly strings: UiStrings;
      readonly settings: ViewSettings;
      readonly page?: SnapshotPage;
    }
  /** Turns older than those shown, oldest first, to go above them: part of the snapshot `page` names. */
  | { readonly type: 'olderTurns'; readonly page: number; readonly turns: readonly Turn[] }
  | { readonly type: 'turnStarted'; readonly turn: Turn }
  | { readonly type: 'event'; readonly turnId: string; readonly event: StreamEvent }
  | { readonly type: 'notice'; readonly level: 'info' | 'error'; readonly text: string; readonly actions: readonly HostAction[] }
  | { readonly type: 'settings'; readonly settings: ViewSettings }
  | { readonly type: 'tutor'; readonly tutor: TutorViewState }
  /** Several live messages of one chat, in order, coalesced by the host into one message per frame. */
  | { readonly type: 'events'; readonly messages: readonly LiveMessage[] }
  /** A turn's learner record changed (a prediction, a quiz answer): the whole record, never a delta. */
  | { readonly type: 'learner'; readonly turnId: string; readonly learner: LearnerRecord };

/** Which snapshot this is (a counter per view), and how many older turns will follow it. */
export interface SnapshotPage {
  readonly id: number;
  readonly older: number;
}

/** Most turns one snapshot or `olderTurns` message carries: a long chat's newest turns are drawn before the rest arrive. */
export const turnsPerPage = 30;

/** The live messages the host coalesces into an `events` batch. */
export type LiveMessage = Extract<HostToWebview, { type: 'turnStarted' | 'event' }>;
/** Most messages one batch may carry (the host sends a batch per ~16 ms frame). */
export const maxBatchMessages = 100_000;

/** The mode and course rules in force for a chat, for its header (issue 6). */
export interface TutorViewState {
  readonly mode: TutorMode;
  /** Modes the learner may switch to. */
  readonly allowed: readonly TutorMode[];
  /** The course allows one mode only: the switch is locked. */
  readonly locked: boolean;
  /** `course`: the course set this mode. */
  readonly source: 'chat' | 'course' | 'setting';
  /** The course's name, when a course file is in force. */
  readonly course?: string;
  readonly allowReveal: boolean;
  readonly maxSolutionLines: number;
}

export type WebviewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'ask'; readonly text: string }
  | { readonly type: 'stop' }
  | { readonly type: 'insertCode'; readonly turnId: string; readonly itemId: string }
  | { readonly type: 'copyCode'; readonly turnId: string; readonly itemId: string }
  | { readonly type: 'saveOutput'; readonly turnId: string; readonly itemId: string; readonly outputIndex: number }
  | { readonly type: 'action'; readonly action: HostAction }
  | { readonly type: 'setMode'; readonly mode: TutorMode }
  /** "Show the code anyway" for withheld item X of turn Y: the host has the code; the webview only names it. */
  | { readonly type: 'reveal'; readonly turnId: string; readonly itemId: string }
  /** Ask the last question again, replacing its answer. */
  | { readonly type: 'regenerate' }
  /** Replace the last question with this text and ask it again. */
  | { readonly type: 'editLast'; readonly text: string }
  /** "Check my understanding" after a completed answer. */
  | { readonly type: 'checkUnderstanding'; readonly turnId: string }
  /** An answer to question `question` of the quiz in tool item `itemId`; the host judges it. */
  | { readonly type: 'quizAnswer'; readonly turnId: string; readonly itemId: string; readonly question: number; readonly answer: string }
  /** A prediction of what code item `itemId` prints; `null` is "Just show me". */
  | { readonly type: 'predict'; readonly turnId: string; readonly itemId: string; readonly prediction: string | null }
  /** Jump to the lines of the remark in tool item `itemId` (by reference: the host has the remark). */
  | { readonly type: 'openRemark'; readonly turnId: string; readonly itemId: string }
  /**
   * Do something with a code block, by reference: an interpreter call (`fence` absent) or the `fence`-th fenced code
   * block (0-based, in markdown-it's parse order) of a text item. The host finds the code in the text it owns.
   */
  | { readonly type: 'codeAction'; readonly action: CodeAction; readonly turnId: string; readonly itemId: string; readonly fence?: number }
  /** A link in model text was clicked: the host judges it and opens it only after the learner confirms. */
  | { readonly type: 'openLink'; readonly href: string };

/** What the learner can do with a code block. */
export type CodeAction = 'copy' | 'insert' | 'replace' | 'newEditor';
export const codeActions: readonly CodeAction[] = ['copy', 'insert', 'replace', 'newEditor'];

/** Longest question the webview may send; longer input is refused, not truncated. */
export const maxQuestionLength = 20_000;
export const maxIdLength = 200;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= maxIdLength;
}

function hasOnlyKeys(o: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(o).every((k) => keys.includes(k));
}

/** The host's door: a message from the webview is used only if this says yes. */
export function isWebviewToHost(m: unknown): m is WebviewToHost {
  if (!isObject(m) || !Object.hasOwn(m, 'type') || typeof m.type !== 'string') return false;
  switch (m.type) {
    case 'ready':
    case 'stop':
    case 'regenerate':
      return hasOnlyKeys(m, ['type']);
    case 'ask':
    case 'editLast':
      return hasOnlyKeys(m, ['type', 'text']) && typeof m.text === 'string' && m.text.trim().length > 0 && m.text.length <= maxQuestionLength;
    case 'insertCode':
    case 'copyCode':
      return hasOnlyKeys(m, ['type', 'turnId', 'itemId']) && isId(m.turnId) && isId(m.itemId);
    case 'saveOutput':
      return (
        hasOnlyKeys(m, ['type', 'turnId', 'itemId', 'outputIndex']) &&
        isId(m.turnId) &&
        isId(m.itemId) &&
        typeof m.outputIndex === 'number' &&
        Number.isInteger(m.outputIndex) &&
        m.outputIndex >= 0 &&
        m.outputIndex < 10_000
      );
    case 'action':
      return hasOnlyKeys(m, ['type', 'action']) && typeof m.action === 'string' && (hostActions as readonly string[]).includes(m.action);
    case 'setMode':
      return hasOnlyKeys(m, ['type', 'mode']) && isTutorMode(m.mode);
    case 'checkUnderstanding':
      return hasOnlyKeys(m, ['type', 'turnId']) && isId(m.turnId);
    case 'quizAnswer':
      return (
        hasOnlyKeys(m, ['type', 'turnId', 'itemId', 'question', 'answer']) &&
        isId(m.turnId) &&
        isId(m.itemId) &&
        typeof m.question === 'number' &&
        Number.isInteger(m.question) &&
        m.question >= 0 &&
        m.question < 10 &&
        typeof m.answer === 'string' &&
        m.answer.trim().length > 0 &&
        m.answer.length <= maxQuizAnswerLength
      );
    case 'predict':
      return (
        hasOnlyKeys(m, ['type', 'turnId', 'itemId', 'prediction']) &&
        isId(m.turnId) &&
        isId(m.itemId) &&
        (m.prediction === null || (typeof m.prediction === 'string' && m.prediction.trim().length > 0 && m.prediction.length <= maxPredictionLength))
      );
    case 'reveal':
    case 'openRemark':
      return hasOnlyKeys(m, ['type', 'turnId', 'itemId']) && isId(m.turnId) && isId(m.itemId);
    case 'codeAction':
      return (
        hasOnlyKeys(m, ['type', 'action', 'turnId', 'itemId', 'fence']) &&
        typeof m.action === 'string' &&
        (codeActions as readonly string[]).includes(m.action) &&
        isId(m.turnId) &&
        isId(m.itemId) &&
        (m.fence === undefined || (typeof m.fence === 'number' && Number.isInteger(m.fence) && m.fence >= 0 && m.fence < 10_000))
      );
    case 'openLink':
      return hasOnlyKeys(m, ['type', 'href']) && typeof m.href === 'string' && m.href.length > 0 && m.href.length <= maxLinkLength;
    default:
      return false;
  }
}

const streamEventKinds = new Set([
  'run.started',
  'text.delta',
  'text.done',
  'code.started',
  'code.delta',
  'code.done',
  'code.status',
  'code.output',
  'tool.call',
  'tool.result',
  'run.finished',
  'withheld',
  'code.withheld',
  'withheld.revealed',
  'thinking.delta',
  'notice',
  'run.retrying',
]);

function isTranscript(v: unknown): boolean {
  return isObject(v) && typeof v.status === 'string' && Array.isArray(v.items);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isTurn(v: unknown): v is Turn {
  return isObject(v) && isId(v.id) && isObject(v.question) && typeof v.question.text === 'string' && isTranscript(v.run);
}

/** The webview's door. The host is trusted more than the webview, but a malformed message must not break the view. */
const interpreterKinds: readonly ModelInfo['interpreter'][] = ['hosted', 'pyodide', 'python', 'off'];

function isModelInfo(v: unknown): v is ModelInfo {
  return (
    isObject(v) &&
    typeof v.provider === 'string' &&
    v.provider.length <= 200 &&
    typeof v.model === 'string' &&
    v.model.length <= 200 &&
    interpreterKinds.includes(v.interpreter as ModelInfo['interpreter'])
  );
}

export function isHostToWebview(m: unknown): m is HostToWebview {
  if (!isObject(m) || typeof m.type !== 'string') return false;
  switch (m.type) {
    case 'snapshot':
      return (
        isObject(m.chat) &&
        Array.isArray(m.chat.turns) &&
        m.chat.turns.every(isTurn) &&
        isObject(m.strings) &&
        uiStringKeys.every((k) => typeof (m.strings as Record<string, unknown>)[k] === 'string') &&
        isObject(m.settings) &&
        (m.page === undefined || (isObject(m.page) && isCount(m.page.id) && isCount(m.page.older)))
      );
    case 'olderTurns':
      return isCount(m.page) && Array.isArray(m.turns) && m.turns.length > 0 && m.turns.length <= turnsPerPage && m.turns.every(isTurn);
    case 'turnStarted':
      return isTurn(m.turn);
    case 'event':
      return isId(m.turnId) && isObject(m.event) && typeof m.event.kind === 'string' && streamEventKinds.has(m.event.kind);
    case 'notice':
      return (m.level === 'info' || m.level === 'error') && typeof m.text === 'string' && Array.isArray(m.actions);
    case 'settings':
      return isObject(m.settings) && typeof m.settings.typewriter === 'boolean' && (m.settings.model === undefined || isModelInfo(m.settings.model));
    case 'tutor':
      return isTutorViewState(m.tutor);
    case 'events':
      return (
        Array.isArray(m.messages) &&
        m.messages.length <= maxBatchMessages &&
        m.messages.every((x) => isObject(x) && (x.type === 'turnStarted' || x.type === 'event') && isHostToWebview(x))
      );
    case 'learner':
      return isId(m.turnId) && isObject(m.learner);
    default:
      return false;
  }
}

function isTutorViewState(v: unknown): v is TutorViewState {
  return (
    isObject(v) &&
    isTutorMode(v.mode) &&
    Array.isArray(v.allowed) &&
    v.allowed.every(isTutorMode) &&
    typeof v.locked === 'boolean' &&
    (v.source === 'chat' || v.source === 'course' || v.source === 'setting') &&
    (v.course === undefined || typeof v.course === 'string') &&
    typeof v.allowReveal === 'boolean' &&
    typeof v.maxSolutionLines === 'number'
  );
}
