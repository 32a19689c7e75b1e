/**
 * The chat header of issue 6: the course and the mode in force ("CS101 · Hint mode, set by your course") and the
 * mode switch, locked when the course allows one mode only. The host owns the truth: a switch is a request, and
 * the header shows whatever state the host sends back.
 */
import type { ModelInfo, TutorViewState, UiStrings, WebviewToHost } from '../../src/shared/protocol';
import type { TutorMode } from '../../src/tutor/modes';
import { tutorModes } from '../../src/tutor/modes';
import { fillIn } from './withheldView';

const modeKey = { explain: 'modeExplain', hint: 'modeHint', review: 'modeReview' } as const;
const interpreterKey = { hosted: 'interpreterHosted', pyodide: 'interpreterPyodide', python: 'interpreterPython', off: 'interpreterOff' } as const;

export function modeLabel(s: UiStrings, mode: TutorMode): string {
  return s[modeKey[mode]];
}

export class TutorHeader {
  readonly el: HTMLElement;
  private readonly rules: HTMLElement;
  private readonly select: HTMLSelectElement;
  /** Who answers and where code runs ("OpenAI · gpt-4.1 · code runs on the server"). */
  private readonly model: HTMLElement;
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
    this.model = doc.createElement('span');
    this.model.className = 'tutor-model';
    this.model.hidden = true;
    this.el.append(this.rules, this.select, this.model);
  }

  /** The provider, the model and where code runs; hidden when the host does not say. Text only (never markup). */
  setModel(info: ModelInfo | undefined, s: UiStrings): void {
    this.model.hidden = !info;
    if (!info) return;
    const text = fillIn(s.modelInUse, info.provider, info.model, s[interpreterKey[info.interpreter]]);
    this.model.textContent = text;
    this.model.dataset.interpreter = info.interpreter;
    this.model.title = text;
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
