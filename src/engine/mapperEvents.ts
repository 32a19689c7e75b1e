/**
 * What a protocol mapper emits: the provider-neutral events, plus a few requests that only the I/O shell can
 * act on (download a file, run function tools and continue). The shell turns those into StreamEvents too, so
 * nothing outside src/engine ever sees them.
 */
import type { StreamEvent, ToolCallInfo } from '../shared/events';

/** A file the run produced that must be downloaded before it can be shown. */
export interface FileRefEvent {
  readonly kind: 'file.ref';
  /** Responses: the container holding the file (container file content endpoint). Absent: Assistants file content. */
  readonly containerId?: string;
  readonly fileId: string;
  readonly filename?: string;
  /** The code item it belongs to; absent: the newest code item in the transcript. */
  readonly attachTo?: string;
  /** Known to be an image (Assistants `image_file`, Responses image output by file id). */
  readonly asImage?: boolean;
}

/**
 * The model wants function tools run. The shell runs them, emits `tool.result`s and continues the run
 * (Responses: a new request with `function_call_output` items and `previous_response_id`;
 * Assistants: submit tool outputs on the same run). Emitted instead of `run.finished`.
 */
export interface RequiresActionEvent {
  readonly kind: 'run.requires_action';
  readonly calls: readonly (ToolCallInfo & { readonly itemId: string })[];
  readonly responseId?: string;
  readonly threadId?: string;
  readonly runId?: string;
}

export type MapperEvent = StreamEvent | FileRefEvent | RequiresActionEvent;

/** One SSE message as it came off the wire. */
export interface SseMessage {
  /** The `event:` field; undefined when the server sent none. */
  readonly event?: string;
  readonly data: string;
  readonly id?: string;
}
