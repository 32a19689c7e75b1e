/**
 * A failure our own transport layer detected (a timeout of ours, a web page where the API should be, a line too
 * long): it carries the kind a person can act on, and survives being wrapped by the openai SDK (found by walking
 * the `cause` chain).
 */
import type { ErrorKind } from '../../shared/events';

export class TransportError extends Error {
  // Never a name or message with "timed out" in it: the openai SDK would replace it with its own developer hint.
  override readonly name = 'TransportError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** The TransportError somewhere in an error's cause chain, if any. */
export function findTransportError(e: unknown): TransportError | undefined {
  for (let x: unknown = e, depth = 0; x !== undefined && x !== null && depth < 8; depth++) {
    if (x instanceof TransportError) return x;
    x = (x as { cause?: unknown }).cause;
  }
  return undefined;
}
