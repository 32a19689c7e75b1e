/**
 * Predict, then run: an interpreter call's outputs stay hidden behind "What do you think this prints?" until the
 * learner types a prediction or chooses "Just show me". Then the outputs show, with the prediction beside them,
 * marked as a match or not (whitespace-insensitive) once the call has finished. Outputs that arrive while the
 * run streams arrive hidden. The prediction is kept by the host (the learner record), not here.
 */
import type { PredictionRecord } from '../../src/shared/learner';
import { maxPredictionLength, printedText, sameOutput } from '../../src/shared/prediction';
import type { UiStrings } from '../../src/shared/protocol';
import type { RunStatus } from '../../src/shared/events';
import type { CodeItem } from '../../src/shared/transcript';
import { createButton } from '../ui/toolkit';

export interface PredictionContext {
  readonly doc: Document;
  readonly strings: () => UiStrings;
  readonly predict: (itemId: string, prediction: string | null) => void;
}

/** The class on the code block that hides its outputs. */
export const pendingClass = 'predict-pending';

export class PredictionView {
  readonly el: HTMLElement;
  private item: CodeItem;
  private runStatus: RunStatus = 'in_progress';
  private record: PredictionRecord | undefined;
  private shownState = '';
  private dirty = true;
  private readonly ask: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly after: HTMLElement;

  constructor(
    private readonly ctx: PredictionContext,
    item: CodeItem,
    /** The code block this belongs to: its outputs are hidden while the prediction is pending. */
    private readonly block: HTMLElement,
  ) {
    const { doc } = ctx;
    const s = ctx.strings();
    this.item = item;
    this.el = doc.createElement('div');
    this.el.className = 'prediction';
    this.ask = doc.createElement('div');
    this.ask.className = 'prediction-ask';
    const label = doc.createElement('label');
    label.className = 'prediction-prompt';
    label.textContent = s.predictPrompt;
    this.input = doc.createElement('textarea');
    this.input.className = 'prediction-input';
    this.input.rows = 2;
    this.input.placeholder = s.predictPlaceholder;
    this.input.setAttribute('aria-label', s.predictPrompt);
    const submit = () => {
      const v = this.input.value;
      if (v.trim() && v.length <= maxPredictionLength) ctx.predict(this.item.id, v);
    };
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        submit();
      }
    });
    const buttons = doc.createElement('div');
    buttons.className = 'prediction-buttons';
    buttons.append(
      createButton(doc, { inline: true, label: s.predictSubmit, className: 'prediction-submit', appearance: 'primary', onClick: submit }),
      createButton(doc, { inline: true, label: s.predictSkip, className: 'prediction-skip', onClick: () => ctx.predict(this.item.id, null) }),
    );
    this.ask.append(label, this.input, buttons);
    this.after = doc.createElement('div');
    this.after.className = 'prediction-after';
    this.after.hidden = true;
    this.el.append(this.ask, this.after);
    block.classList.add(pendingClass);
    // Between the code and its outputs.
    const outputs = block.querySelector('.code-outputs');
    if (outputs) block.insertBefore(this.el, outputs);
    else block.append(this.el);
  }

  change(item: CodeItem, runStatus: RunStatus): void {
    this.item = item;
    this.runStatus = runStatus;
    this.dirty = true;
  }

  setRecord(record: PredictionRecord | undefined): void {
    this.record = record;
    this.dirty = true;
  }

  frame(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    const r = this.record;
    if (!r) {
      this.el.dataset.state = 'ask';
      return false;
    }
    this.block.classList.remove(pendingClass);
    this.ask.hidden = true;
    this.after.hidden = false;
    const finished = this.item.status === 'done' || this.item.status === 'failed' || this.item.status === 'stopped' || this.runStatus !== 'in_progress';
    const printed = printedText(this.item.outputs);
    const match = r.text !== null && sameOutput(r.text, printed);
    const state = r.text === null ? 'skipped' : !finished ? 'waiting' : match ? 'match' : 'nomatch';
    if (state === this.shownState) return false;
    this.shownState = state;
    this.el.dataset.state = state;
    const { doc } = this.ctx;
    const s = this.ctx.strings();
    if (r.text === null) {
      const note = doc.createElement('div');
      note.className = 'prediction-skipped';
      note.textContent = s.predictSkipped;
      this.after.replaceChildren(note);
      return false;
    }
    const yours = doc.createElement('div');
    yours.className = 'prediction-yours';
    const label = doc.createElement('div');
    label.className = 'prediction-label';
    label.textContent = s.predictYours;
    const text = doc.createElement('pre');
    text.className = 'prediction-text';
    text.textContent = String(r.text);
    yours.append(label, text);
    const actual = doc.createElement('div');
    actual.className = 'prediction-actual';
    actual.hidden = state === 'waiting';
    const actualLabel = doc.createElement('div');
    actualLabel.className = 'prediction-label';
    actualLabel.textContent = s.predictActual;
    const actualText = doc.createElement('pre');
    actualText.className = 'prediction-text';
    actualText.textContent = printed;
    actual.append(actualLabel, actualText);
    const compare = doc.createElement('div');
    compare.className = 'prediction-compare';
    compare.append(yours, actual);
    const mark = doc.createElement('div');
    mark.className = 'prediction-mark';
    mark.setAttribute('role', 'status');
    if (state === 'waiting') mark.textContent = s.predictWaiting;
    else {
      mark.dataset.match = String(match);
      mark.textContent = `${match ? '✓' : '✗'} ${match ? s.predictMatch : s.predictNoMatch}`;
    }
    this.after.replaceChildren(compare, mark);
    return false;
  }
}
