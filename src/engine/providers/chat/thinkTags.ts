/**
 * Models served without a reasoning parser (Ollama's older templates, llama.cpp without `--reasoning-format`, QwQ,
 * DeepSeek-R1 distills) write their reasoning into the answer as `<think>…</think>`. This splits streamed content
 * into reasoning and answer, with tags that may be cut anywhere between chunks. Only a `<think>` at the start of
 * the content (after whitespace) opens reasoning: a tag in the middle of an answer is text about tags.
 *
 * A stray `</think>` (no `<think>` before it). Some servers drop the opening tag because the model's chat template
 * already put `<think>` into the prompt (DeepSeek-R1 distills, QwQ, Qwen3 "Thinking" models on vLLM, llama.cpp or
 * Ollama), so the content starts with the reasoning and `</think>` ends it. Whether text is reasoning can only be
 * known once `</think>` arrives, and streamed answer text is never taken back, so the rule is:
 *   - the text before a stray `</think>` is reasoning only if no answer text was emitted before it, that is, only if
 *     the content STARTED with it and no `<think>` was seen. That holds in two cases:
 *       1. nothing but whitespace came before the `</think>` (the reasoning came in a `reasoning` field, or was empty):
 *          the tag and the blank lines after it are dropped;
 *       2. `reasoningFirst` (the caller knows this model's template opens the reasoning, see `opensWithReasoning`):
 *          content that does not open with `<think>` is streamed as reasoning from its first character, up to the
 *          `</think>`. If the content ends and no `</think>` came, it was the answer after all: it is then given
 *          as text (the thinking block keeps what it showed), so an answer is never lost.
 *   - otherwise (answer text already shown) a `</think>` is text, like any tag in the middle of an answer.
 */

export interface ContentPart {
  readonly kind: 'text' | 'thinking';
  readonly text: string;
}

const open = '<think>';
const close = '</think>';

/** The longest suffix of `s` that is a proper prefix of `tag`: it may be the start of a tag cut by the chunking. */
function partialTagSuffix(s: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, s.length); n > 0; n--) if (s.endsWith(tag.slice(0, n))) return n;
  return 0;
}

/**
 * Models whose chat template opens the reasoning itself, so their content starts inside it and only `</think>` shows
 * (rule 2 above): DeepSeek-R1 and its distills, QwQ, and Qwen3's "Thinking" models (Qwen3-…-Thinking-2507). Kept
 * narrow on purpose: for a model named here whose server neither sends the tag nor a reasoning field, the answer
 * streams into the thinking block and becomes the answer only at the end.
 */
export function opensWithReasoning(model: string | undefined): boolean {
  return model !== undefined && /deepseek[-_. ]?r1|r1[-_. ]distill|(^|[/:_. -])qwq|qwen3[^/]*thinking/i.test(model);
}

export interface ThinkSplitterOptions {
  /** Content that does not open with `<think>` is reasoning until a `</think>` (rule 2 above). */
  readonly reasoningFirst?: boolean;
}

export class ThinkSplitter {
  private mode: 'start' | 'thinking' | 'afterThinking' | 'text' = 'start';
  /** Held back: a possible tag (or the leading whitespace before it) not yet decided. */
  private pending = '';
  private reasoningFirst: boolean;
  /** Rule 2: reasoning shown without an opening tag, given back as text if no `</think>` ever comes. */
  private unopened: string | undefined;

  constructor(options: ThinkSplitterOptions = {}) {
    this.reasoningFirst = options.reasoningFirst === true;
  }

  /**
   * Turn rule 2 on or off before the content starts (later calls change nothing): on when the stream names a model
   * that opens its reasoning itself, off when the server sends the reasoning in a field of its own.
   */
  setReasoningFirst(on: boolean): void {
    if (this.mode === 'start' && this.pending === '') this.reasoningFirst = on;
  }

  push(chunk: string): ContentPart[] {
    const out: ContentPart[] = [];
    let s = this.pending + chunk;
    this.pending = '';
    while (s !== '') {
      switch (this.mode) {
        case 'start': {
          const lead = s.length - s.trimStart().length;
          const rest = s.slice(lead);
          if (rest === '') {
            this.pending = s;
            return out;
          }
          if (rest.startsWith(open)) {
            this.mode = 'thinking';
            s = rest.slice(open.length);
          } else if (rest.startsWith(close)) {
            // Rule 1: a stray `</think>` before any answer text.
            this.mode = 'afterThinking';
            s = rest.slice(close.length);
          } else if (open.startsWith(rest) || close.startsWith(rest)) {
            this.pending = s;
            return out;
          } else if (this.reasoningFirst) {
            // Rule 2: the template opened the reasoning; the content starts inside it.
            this.mode = 'thinking';
            this.unopened = '';
          } else {
            this.mode = 'text';
          }
          break;
        }
        case 'thinking': {
          const at = s.indexOf(close);
          if (at >= 0) {
            if (at > 0) out.push({ kind: 'thinking', text: s.slice(0, at) });
            this.mode = 'afterThinking';
            this.unopened = undefined;
            s = s.slice(at + close.length);
          } else {
            const keep = partialTagSuffix(s, close);
            if (s.length > keep) {
              out.push({ kind: 'thinking', text: s.slice(0, s.length - keep) });
              if (this.unopened !== undefined) this.unopened += s.slice(0, s.length - keep);
            }
            this.pending = s.slice(s.length - keep);
            return out;
          }
          break;
        }
        case 'afterThinking': {
          // The blank lines between `</think>` and the answer are layout, not answer.
          const rest = s.trimStart();
          if (rest === '') return out;
          this.mode = 'text';
          s = rest;
          break;
        }
        case 'text':
          out.push({ kind: 'text', text: s });
          return out;
      }
    }
    return out;
  }

  /**
   * The content is over: whatever was held back is what it looked like (an unclosed `<think>` stays reasoning; content
   * taken as reasoning by rule 2 that never saw its `</think>` was the answer, and is given as text).
   */
  end(): ContentPart[] {
    const s = this.pending;
    this.pending = '';
    if (this.unopened !== undefined) {
      const text = (this.unopened + s).trim() === '' ? '' : this.unopened + s;
      this.unopened = undefined;
      this.mode = 'text';
      return text === '' ? [] : [{ kind: 'text', text }];
    }
    if (s === '') return [];
    if (this.mode === 'thinking') return [{ kind: 'thinking', text: s }];
    if (this.mode === 'start' && s.trim() === '') return [];
    this.mode = 'text';
    return [{ kind: 'text', text: s }];
  }
}
