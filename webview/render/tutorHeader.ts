/**
 * The chat header of issue 6: the course and the mode in force ("CS101 · Hint mode, set by your course") and the
 * mode switch, locked when the course allows one mode only. The host owns the truth: a switch is a request, and
 * the header shows whatever state the host sends back.
 */
import type { TutorViewState, UiStrings, WebviewToHost } from '../../src/shared/protocol';
import type { TutorMode } from '../../src/tutor/modes';
import { tutorModes } from '../../src/tutor/modes';
import { fillIn } from './withheldView';

const modeKey = { explain: 'modeExplain', hint: 'modeHint', review: 'modeReview' } as const;

export function modeLabel(s: UiStrings, mode: TutorMode): string {
  return s[modeKey[mode]];
}

export class TutorHeader {
  readonly el: HTMLElement;
  private readonly rules: HTMLElement;
  private readonly select: HTMLSelectElement;
  private state: TutorViewState | null = null;

  constructor(
    doc: Document,
    private readonly post: (m: WebviewToHost) => void,
  ) {
    this.el = doc.createElement('div');
    this.el.className = 'tutor-header';
    this.el.hidden = true;
    this.rules = doc.createElement('span');
    this.rules.className = 'tutor-rules';
    this.select = doc.createElement('select');
    this.select.className = 'tutor-mode';
    this.select.id = 'tutor-mode';
    for (const m of tutorModes) {
      const o = doc.createElement('option');
      o.value = m;
      this.select.append(o);
    }
    this.select.addEventListener('change', () => {
      const mode = this.select.value as TutorMode;
      if (this.state && mode !== this.state.mode) this.post({ type: 'setMode', mode });
    });
    this.el.append(this.rules, this.select);
  }

  get current(): TutorViewState | null {
    return this.state;
  }

  update(state: TutorViewState, s: UiStrings): void {
    this.state = state;
    this.el.hidden = false;
    const label = modeLabel(s, state.mode);
    const mode = state.source === 'course' ? fillIn(s.modeSetByCourse, label) : label;
    this.rules.textContent = state.course ? `${String(state.course)} · ${mode}` : mode;
    this.el.dataset.mode = state.mode;
    this.select.setAttribute('aria-label', s.modeLabel);
    for (const o of this.select.options) {
      o.textContent = modeLabel(s, o.value as TutorMode);
      o.disabled = !state.allowed.includes(o.value as TutorMode);
    }
    this.select.value = state.mode;
    this.select.disabled = state.locked;
    this.select.title = state.locked ? s.modeLocked : s.modeLabel;
  }
}
