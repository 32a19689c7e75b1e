/**
 * Every message that crosses between the extension host and the webview, declared once for both builds.
 * Each side checks what arrives with a guard before using it: the webview is untrusted input for the host.
 */
import type { ErrorKind, StreamEvent } from './events';
import type { RunTranscript } from './transcript';

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
  'reasoning',
  'noticeNoCodeTool',
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
};
export type UiStringKey = (typeof uiStringKeys)[number];
export type UiStrings = Readonly<Record<UiStringKey, string>>;

export type HostToWebview =
  | { readonly type: 'snapshot'; readonly chat: ChatSnapshot; readonly strings: UiStrings; readonly settings: ViewSettings }
  | { readonly type: 'turnStarted'; readonly turn: Turn }
  | { readonly type: 'event'; readonly turnId: string; readonly event: StreamEvent }
  | { readonly type: 'notice'; readonly level: 'info' | 'error'; readonly text: string; readonly actions: readonly HostAction[] }
  | { readonly type: 'settings'; readonly settings: ViewSettings };

export type WebviewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'ask'; readonly text: string }
  | { readonly type: 'stop' }
  | { readonly type: 'insertCode'; readonly turnId: string; readonly itemId: string }
  | { readonly type: 'copyCode'; readonly turnId: string; readonly itemId: string }
  | { readonly type: 'saveOutput'; readonly turnId: string; readonly itemId: string; readonly outputIndex: number }
  | { readonly type: 'action'; readonly action: HostAction };

/** Longest question the webview may send; longer input is refused, not truncated. */
export const maxQuestionLength = 20_000;
const maxIdLength = 200;

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
  if (!isObject(m) || typeof m.type !== 'string') return false;
  switch (m.type) {
    case 'ready':
    case 'stop':
      return hasOnlyKeys(m, ['type']);
    case 'ask':
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
  'thinking.delta',
  'notice',
]);

function isTranscript(v: unknown): boolean {
  return isObject(v) && typeof v.status === 'string' && Array.isArray(v.items);
}

function isTurn(v: unknown): v is Turn {
  return isObject(v) && isId(v.id) && isObject(v.question) && typeof v.question.text === 'string' && isTranscript(v.run);
}

/** The webview's door. The host is trusted more than the webview, but a malformed message must not break the view. */
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
        isObject(m.settings)
      );
    case 'turnStarted':
      return isTurn(m.turn);
    case 'event':
      return isId(m.turnId) && isObject(m.event) && typeof m.event.kind === 'string' && streamEventKinds.has(m.event.kind);
    case 'notice':
      return (m.level === 'info' || m.level === 'error') && typeof m.text === 'string' && Array.isArray(m.actions);
    case 'settings':
      return isObject(m.settings) && typeof m.settings.typewriter === 'boolean';
    default:
      return false;
  }
}
