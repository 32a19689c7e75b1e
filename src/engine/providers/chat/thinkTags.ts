/**
 * Models served without a reasoning parser (Ollama's older templates, llama.cpp without `--reasoning-format`, QwQ,
 * DeepSeek-R1 distills) write their reasoning into the answer as `<think>…</think>`. This splits streamed content
 * into reasoning and answer, with tags that may be cut anywhere between chunks. Only a `<think>` at the start of
 * the content (after whitespace) opens reasoning: a tag in the middle of an answer is text about tags.
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

export class ThinkSplitter {
  private mode: 'start' | 'thinking' | 'afterThinking' | 'text' = 'start';
  /** Held back: a possible tag (or the leading whitespace before it) not yet decided. */
  private pending = '';

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
          } else if (open.startsWith(rest)) {
            this.pending = s;
            return out;
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
            s = s.slice(at + close.length);
          } else {
            const keep = partialTagSuffix(s, close);
            if (s.length > keep) out.push({ kind: 'thinking', text: s.slice(0, s.length - keep) });
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

  /** The content is over: whatever was held back is what it looked like (an unclosed `<think>` stays reasoning). */
  end(): ContentPart[] {
    const s = this.pending;
    this.pending = '';
    if (s === '') return [];
    if (this.mode === 'thinking') return [{ kind: 'thinking', text: s }];
    if (this.mode === 'start' && s.trim() === '') return [];
    this.mode = 'text';
    return [{ kind: 'text', text: s }];
  }
}
