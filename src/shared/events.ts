/**
 * The provider-neutral stream events. Every wire protocol (Responses, Assistants in the OpenAI and DashScope
 * shapes) is mapped onto this one union by a pure mapper; the transcript reducer, the webview, the extension
 * host and the CLI only ever see these.
 *
 * Imported by the host, the engine, the CLI and the webview: no `vscode`, no DOM.
 */

/** How a run ended, or where it is. */
export type RunStatus = 'in_progress' | 'completed' | 'failed' | 'cancelled' | 'incomplete';

/** Where an interpreter call ran: the provider's hosted tool, Pyodide in the extension host, or the learner's Python. */
export type CodeRuntime = 'hosted' | 'pyodide' | 'python';

/**
 * The life of one interpreter call, as the learner sees it. `stopped`: the learner pressed Stop while it was written or
 * run; it did not fail (its outputs so far are kept), so it is not shown as `failed`.
 */
export type CodeStatus = 'writing' | 'running' | 'done' | 'failed' | 'stopped';

/** Why a run failed, in words a person can act on. */
export type ErrorKind =
  | 'auth' // bad or missing key (401/403)
  | 'rate_limit' // 429, slow down
  | 'quota' // out of credit
  | 'network' // could not reach the server / connection dropped
  | 'server' // 5xx or a server-side `error` event
  | 'bad_request' // 400 the server did not accept what we sent
  | 'not_found' // 404: wrong base URL or model
  | 'tool_unsupported' // the server rejects the code_interpreter tool
  | 'protocol' // the stream broke its own rules (bad JSON, ended early)
  | 'usage' // the caller asked for something impossible (no key, no question)
  | 'content_filter' // the provider's content filter stopped the answer
  | 'timeout' // no answer in time: 408, 504, our connect or idle timeout
  | 'region' // 403: the provider does not serve this country, region or territory
  | 'too_large' // 413: the request (question, selection, chat) is too large
  | 'conflict' // 409: the server is busy with this conversation (a run still active)
  | 'not_api'; // the address answered with a web page (a captive portal, a proxy login, a wrong URL), not the API

export interface RunError {
  readonly kind: ErrorKind;
  readonly message: string;
  /** The provider's own code (`insufficient_quota`, `rate_limit_exceeded`, HTTP status …) when there is one. */
  readonly code?: string;
}

/** One thing an interpreter call produced. Images carry their bytes as base64 so they cross postMessage intact. */
export type CodeOutput =
  | { readonly type: 'logs'; readonly text: string }
  | { readonly type: 'image'; readonly mime: string; readonly base64: string; readonly fileId?: string }
  | {
      readonly type: 'file';
      readonly name: string;
      readonly mime: string;
      readonly bytes: number;
      /** Present once the bytes were downloaded. */
      readonly base64?: string;
      readonly fileId?: string;
    };

/** A function tool the model asked us to run (read-only workspace tools). */
export interface ToolCallInfo {
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
}

/** Something the learner should know about the run that is neither answer nor error; the text is localized by the viewer. */
export type NoticeCode =
  /** The model (or the server) did not take the code tool: it answered without running code. */
  'noCodeTool';

export type StreamEvent =
  /** The server accepted the run. `responseId` continues a Responses conversation; `threadId`/`runId` an Assistants one. */
  | {
      readonly kind: 'run.started';
      readonly responseId?: string;
      readonly threadId?: string;
      readonly runId?: string;
      readonly assistantId?: string;
      readonly model?: string;
    }
  /** A stretch of explanation text. `id` names the text item; deltas with the same id append. */
  | { readonly kind: 'text.delta'; readonly id: string; readonly delta: string; readonly refusal?: true }
  /** The full text of an item: authoritative, replaces what the deltas built. `refusal`: the model declined. */
  | { readonly kind: 'text.done'; readonly id: string; readonly text: string; readonly refusal?: true }
  /** The interpreter began writing a block of code. */
  | { readonly kind: 'code.started'; readonly id: string; readonly language: string; readonly runtime?: CodeRuntime }
  | { readonly kind: 'code.delta'; readonly id: string; readonly delta: string }
  /** The full code of a call: authoritative. */
  | { readonly kind: 'code.done'; readonly id: string; readonly code: string }
  | { readonly kind: 'code.status'; readonly id: string; readonly status: CodeStatus }
  /** One output of a call. Mappers never send the same output twice. */
  | { readonly kind: 'code.output'; readonly id: string; readonly output: CodeOutput }
  /** A function tool call and, later, its result. */
  | { readonly kind: 'tool.call'; readonly id: string; readonly call: ToolCallInfo }
  | { readonly kind: 'tool.result'; readonly id: string; readonly output: string; readonly isError: boolean }
  /** Hint/review mode (src/tutor/hintGuard.ts): a code block longer than `limit` lines was held back; this takes its place. */
  | { readonly kind: 'withheld'; readonly id: string; readonly language: string; readonly lines: number; readonly limit: number }
  /** Hint/review mode folded an interpreter call's code (`lines` over `limit`); its outputs still show. */
  | { readonly kind: 'code.withheld'; readonly id: string; readonly lines: number; readonly limit: number }
  /** The learner chose "Show the code anyway" for withheld item `id` (may come after run.finished). */
  | { readonly kind: 'withheld.revealed'; readonly id: string; readonly code: string }
  /** The model's reasoning ("thinking"), shown folded away and never as the answer. Deltas with the same id append. */
  | { readonly kind: 'thinking.delta'; readonly id: string; readonly delta: string }
  /** A notice about the run, shown in stream order. */
  | { readonly kind: 'notice'; readonly id: string; readonly notice: NoticeCode }
  /**
   * The request failed in a way worth another try (429, 5xx, a reset connection) and will be sent again after
   * `delayMs`. `attempt` counts from 1 (the first retry). Shown as a passing notice; not part of the answer.
   */
  | { readonly kind: 'run.retrying'; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  /** The run ended. Exactly one per run; nothing follows it. */
  | { readonly kind: 'run.finished'; readonly status: Exclude<RunStatus, 'in_progress'>; readonly error?: RunError; readonly reason?: string };

export type StreamEventKind = StreamEvent['kind'];
