/**
 * What every protocol's I/O shell offers: one run as an async stream of provider-neutral events.
 * The stream always ends with exactly one `run.finished` — failures, cancellation and protocol breaks included —
 * so callers never need a try/catch to learn how a run ended.
 */
import type { StreamEvent } from '../shared/events';
import type { Question } from '../shared/protocol';
import type { LocalInterpreter } from './interpreter/localInterpreter';
import type { ChatMessage } from './providers/chat/chatHistory';
import type { InputItem } from './providers/responses/clientConversation';
import type { FunctionTool } from './tools/functionTool';

/**
 * Where a conversation continues from. Responses: the last response id. Assistants: the thread (and assistant).
 * Chat completions are stateless: the messages themselves (questions, answers, tool calls and results), trimmed to
 * a token budget; the host keeps them with the chat. Responses on a server that keeps no responses: the input items,
 * the same way (`input`).
 */
export interface ConversationRef {
  readonly responseId?: string;
  readonly threadId?: string;
  readonly assistantId?: string;
  /**
   * Assistants: the thread still holds an exchange the chat dropped (Regenerate, Edit and resend). The next run first
   * takes it out (see providers/assistants/threadRewind.ts) and reports the thread to continue on, without this.
   */
  readonly rewind?: ThreadRewind;
  readonly messages?: readonly ChatMessage[];
  /**
   * Chat completions, in a provider's report: whether `messages` ends with the exchange of the run that reported them
   * (false: that run left nothing in them, say it failed before any answer). The host turns it into `messagesTurnId`.
   */
  readonly endsWithThisRun?: boolean;
  /** Kept by the host: the id of its turn whose exchange ends `messages`, so that turn's exchange can be dropped. */
  readonly messagesTurnId?: string;
  /** Responses, conversation kept on the client: the input items sent and received, trimmed to the token budget. */
  readonly input?: readonly InputItem[];
  /** Responses: this server refused previous_response_id, so this chat continues from `input` only. */
  readonly clientState?: boolean;
  /** The host's mark: the turn whose exchange is the last one in `input` (regenerate drops it). */
  readonly inputTurn?: string;
}

/** What of an Assistants thread a chat no longer has (Regenerate, Edit and resend dropped it). */
export interface ThreadRewind {
  /** The dropped runs (their ids, as far as they got one): their messages go, with the question before them. */
  readonly runIds: readonly string[];
}

export interface RunRequest {
  readonly question: Question;
  readonly conversation?: ConversationRef;
  /** Offer the code interpreter tool (default true). Off after a server said it does not support it. */
  readonly codeInterpreter?: boolean;
  /** Read-only tools the tutor may call. */
  readonly tools?: readonly FunctionTool[];
  /**
   * The effective instructions of this request (standing instructions + mode + course rules, src/tutor/instructions.ts).
   * Every provider sends them on every request: Responses `instructions` (or the system message), the Assistants
   * run's `instructions`, chat completions' system message. Absent: the provider's own (ConnectionOptions.instructions).
   */
  readonly instructions?: string;
  /**
   * The chat's local interpreter behind the `run_python` tool (chat completions; Responses with interpreter "local").
   * Absent: no code runs locally.
   */
  readonly localInterpreter?: LocalInterpreter;
  /**
   * Stateless protocols (chat completions; Responses with the conversation kept on the client) report the conversation to continue from here, once, just before
   * `run.finished`. The caller keeps it and passes it back as `conversation` with the next question.
   * Assistants report here when a pending `rewind` was done (and the thread, if it had to change).
   */
  readonly onConversation?: (conversation: ConversationRef) => void;
  /** A line for the host's log (not the chat): what a provider did that the learner did not ask for. No secrets. */
  readonly log?: (message: string) => void;
}

/** How to reach a server and what to ask it for; every protocol's provider takes these. */
export interface ConnectionOptions {
  readonly apiKey: string;
  /** Same form as OPENAI_BASE_URL, e.g. http://127.0.0.1:8080/v1. Undefined: the protocol's OpenAI default. */
  readonly baseUrl?: string;
  readonly model: string;
  /** The tutor's instructions (default: tutorInstructions). */
  readonly instructions?: string;
  /** Extra headers some gateways want (Azure's `api-key`). */
  readonly headers?: Record<string, string>;
  /** How many function tool rounds one question may take before we stop asking. */
  readonly maxToolRounds?: number;
}

export type Protocol = 'responses' | 'assistants' | 'chat';
export const protocols: readonly Protocol[] = ['responses', 'assistants', 'chat'];

export interface Provider {
  readonly protocol: Protocol;
  stream(request: RunRequest, signal?: AbortSignal): AsyncGenerator<StreamEvent, void, undefined>;
}

/** The tutor's standing instructions, shared by every protocol. */
export const tutorInstructions = [
  'You are Code Tutor, a patient programming tutor inside the learner\'s code editor.',
  'Explain ideas step by step in plain words, then show them: use the code interpreter (python) to run small,',
  'well-commented experiments that demonstrate the point, print their results, and plot when a picture helps.',
  'Keep code short and idiomatic, point out common mistakes, and end with one question that checks understanding.',
  'When the learner shares code, refer to it by its line numbers. Answer in the language the learner writes in.',
].join(' ');

/** The user message sent for a question: the question, then the selected code (if any) with where it came from. */
export function questionText(q: Question): string {
  if (!q.context) return q.text;
  const c = q.context;
  const fence = c.code.includes('```') ? '~~~~' : '```';
  return `${q.text}\n\nFile: ${c.file} (lines ${c.startLine}-${c.endLine}, ${c.language})\n${fence}${c.language}\n${c.code}\n${fence}`;
}
