/**
 * One turn: the learner's question (with the selected code, if any) and the tutor's answer, kept up to date from
 * stream events through the shared reducer. Events only record what changed; `frame()` does the DOM work for the
 * changed items alone.
 */
import type { ErrorKind, StreamEvent } from '../../src/shared/events';
import { actionsForError, errorHeadlineKey, type CodeAction, type HostAction, type Turn, type UiStrings, type WebviewToHost } from '../../src/shared/protocol';
import { own, type LearnerRecord } from '../../src/shared/learner';
import { quizToolName } from '../../src/shared/quiz';
import { remarkToolName } from '../../src/shared/remark';
import { itemById, itemCount, reduce, type RunTranscript, type TranscriptItem } from '../../src/shared/transcript';
import { createButton } from '../ui/toolkit';
import { CodeView } from './codeBlock';
import { createCodeActions } from './codeActions';
import { highlightClass, highlightToHtml, resolveLanguage } from './highlight';
import { isolated } from './isolate';
import { visibleControls } from '../../src/shared/safeText';
import { sanitizedFragment } from './sanitize';
import { TextView } from './textView';
import { NoticeView, ThinkingView } from './thinkingView';
import { ToolView } from './toolView';
import { WithheldView } from './withheldView';
import { PredictionView } from './predictionView';
import { QuizCard } from './quizCard';
import { RemarkView } from './remarksView';

export interface TurnContext {
  readonly doc: Document;
  readonly strings: () => UiStrings;
  readonly typewriterOn: () => boolean;
  /** A code block's action, by reference: an interpreter call, or fence number `fence` of a text item. */
  readonly codeAction: (turnId: string, itemId: string, action: CodeAction, fence?: number) => void;
  /** Say this to a screen reader (politely, when it is free). */
  readonly announce: (text: string) => void;
  readonly save: (turnId: string, itemId: string, outputIndex: number) => void;
  readonly action: (action: HostAction) => void;
  /** "Show the code anyway" for a withheld block (hint/review mode). */
  readonly reveal: (turnId: string, itemId: string) => void;
  readonly modeLabel: () => string;
  /** Quiz answers, predictions, remark clicks, "Check my understanding" (src/shared/learner.ts). */
  readonly post: (message: WebviewToHost) => void;
}

type ItemView = TextView | CodeView | ToolView | WithheldView | ThinkingView | NoticeView | QuizCard | RemarkView;
type Framed = ItemView | PredictionView;

export class TurnView {
  readonly el: HTMLElement;
  private readonly answer: HTMLElement;
  private readonly thinking: HTMLElement;
  private readonly views = new Map<string, ItemView>();
  private readonly unattached: ItemView[] = [];
  private readonly dirty = new Set<Framed>();
  private readonly predictions = new Map<string, PredictionView>();
  private learner: LearnerRecord;
  private run: RunTranscript;
  private statusDirty = true;
  private endShown = false;
  /** The passing "trying again" notice while a request waits to be retried. */
  private retryEl: HTMLElement | undefined;

  constructor(
    private readonly ctx: TurnContext,
    readonly turn: Turn,
    now: number,
  ) {
    const { doc } = ctx;
    const s = ctx.strings();
    this.run = turn.run;
    this.learner = turn.learner ?? {};
    this.el = doc.createElement('div');
    this.el.className = 'turn';
    this.el.dataset.turnId = turn.id;

    const question = doc.createElement('div');
    question.className = 'turn-question';
    const who = doc.createElement('div');
    who.className = 'turn-who';
    who.textContent = s.you;
    const text = doc.createElement('div');
    text.className = 'turn-question-text';
    text.textContent = visibleControls(String(turn.question.text));
    question.append(who, text);
    const c = turn.question.context;
    if (c && typeof c.code === 'string') {
      const ctxEl = doc.createElement('div');
      ctxEl.className = 'turn-context';
      const where = doc.createElement('div');
      where.className = 'turn-context-where';
      where.append(`${s.selection}: `, isolated(doc, c.file), `:${Number(c.startLine)}-${Number(c.endLine)}`);
      const pre = doc.createElement('pre');
      pre.className = 'turn-context-code';
      const code = doc.createElement('code');
      const lang = resolveLanguage(c.language);
      code.className = highlightClass(lang);
      code.append(sanitizedFragment(doc, highlightToHtml(c.code, lang)));
      pre.append(code);
      ctxEl.append(where, pre);
      question.append(ctxEl);
    }

    this.answer = doc.createElement('div');
    this.answer.className = 'turn-answer';
    const tutor = doc.createElement('div');
    tutor.className = 'turn-who';
    tutor.textContent = s.tutor;
    this.thinking = doc.createElement('div');
    this.thinking.className = 'thinking';
    this.thinking.textContent = s.thinking;
    this.answer.append(tutor, this.thinking);
    this.el.append(question, this.answer);

    // A turn from a snapshot shows what it has at once; only what arrives later is typed.
    const finished = this.run.status !== 'in_progress';
    for (const item of this.run.items) {
      const view = this.ensureView(item, true);
      if (view) this.noteChange(view, item, now, finished);
    }
  }

  get status(): RunTranscript['status'] {
    return this.run.status;
  }

  /** Apply one event: reduce, then record what changed. No DOM work here. */
  apply(event: StreamEvent, now: number): void {
    // A passing notice, not part of the transcript (the reducer ignores it): shown until the next event.
    if (event.kind === 'run.retrying') {
      if (this.run.status === 'in_progress') this.showRetrying(event.reason, event.delayMs, event.attempt);
      return;
    }
    this.showRetrying(undefined);
    const before = this.run;
    this.run = reduce(before, event);
    if (this.run === before) return;
    if (event.kind === 'run.finished') {
      this.showRetrying(undefined);
      this.statusDirty = true;
      for (const item of this.run.items) {
        const view = this.views.get(item.id);
        if (view) this.noteChange(view, item, now, true);
      }
      return;
    }
    if (event.kind === 'run.started') return;
    // By id, not by reading `items`: the item list is only built when asked for, and an event must stay cheap.
    const item = itemById(this.run, event.id);
    if (!item) return;
    const view = this.ensureView(item, false);
    if (view) this.noteChange(view, item, now, event.kind === 'text.done' || event.kind === 'code.done', event.kind === 'text.delta' ? event.delta : undefined);
    if (itemCount(this.run) !== itemCount(before)) this.statusDirty = true;
  }

  /** The learner record changed (a prediction, a quiz answer): the views that show it follow. */
  setLearner(learner: LearnerRecord): void {
    this.learner = learner;
    for (const [id, view] of this.views) {
      if (view instanceof QuizCard) view.setRecord(own(learner.quizzes, id));
      else if (view instanceof RemarkView) view.setTarget(learner.review);
      else continue;
      this.dirty.add(view);
    }
    for (const [id, p] of this.predictions) {
      p.setRecord(own(learner.predictions, id));
      this.dirty.add(p);
    }
  }

  /** Bring the DOM up to date; true while another frame is needed. */
  frame(now: number): boolean {
    for (const v of this.unattached) this.answer.insertBefore(v.el, this.thinking);
    this.unattached.length = 0;
    if (this.statusDirty) this.renderStatus();
    const typing = this.ctx.typewriterOn();
    let more = false;
    for (const v of this.dirty) {
      const again = v instanceof TextView ? v.frame(now, typing) : v.frame();
      if (again) more = true;
      else this.dirty.delete(v);
    }
    return more;
  }

  /** Typewriter switched off: show all text at the next frame. */
  showAll(): void {
    for (const v of this.views.values()) {
      if (v instanceof TextView) {
        v.showNow();
        this.dirty.add(v);
      }
    }
  }

  private ensureView(item: TranscriptItem, fromSnapshot: boolean): ItemView | undefined {
    const existing = this.views.get(item.id);
    if (existing) return existing;
    const { ctx } = this;
    const turnId = this.turn.id;
    let view: ItemView;
    switch (item.type) {
      case 'text': {
        const textView: TextView = new TextView(ctx.doc, item.id, String(item.text), fromSnapshot, {
          blockFinished: (nodes) => {
            const said = nodes
              .filter((n) => !(n as Element).classList?.contains('fence-toolbar') && (n as Element).tagName !== 'PRE')
              .map((n) => n.textContent ?? '')
              .join(' ')
              .trim();
            if (said) ctx.announce(said);
          },
          decorate: (nodes) => {
            for (const n of nodes) {
              if (n.nodeType !== 1) continue;
              const el = n as HTMLElement;
              const pres = el.matches('pre.md-code') ? [el] : Array.from(el.querySelectorAll<HTMLElement>('pre.md-code'));
              for (const pre of pres) this.addFenceActions(textView.el, item.id, pre);
            }
          },
        });
        view = textView;
        break;
      }
      case 'code':
        view = new CodeView(
          {
            doc: ctx.doc,
            strings: ctx.strings,
            turnId,
            codeAction: (id, action) => ctx.codeAction(turnId, id, action),
            save: (id, i) => ctx.save(turnId, id, i),
            withheld: this.withheldContext(item.id),
          },
          item,
        );
        if (this.learner.predictBeforeRun) {
          const p = new PredictionView({ doc: ctx.doc, strings: ctx.strings, predict: (itemId, prediction) => ctx.post({ type: 'predict', turnId, itemId, prediction }) }, item, view.el);
          p.setRecord(own(this.learner.predictions, item.id));
          this.predictions.set(item.id, p);
        }
        break;
      case 'withheld':
        view = new WithheldView(this.withheldContext(item.id), item);
        break;
      case 'tool':
        if (item.name === quizToolName) {
          const card = new QuizCard({ doc: ctx.doc, strings: ctx.strings, answer: (itemId, question, answer) => ctx.post({ type: 'quizAnswer', turnId, itemId, question, answer }) }, item);
          card.setRecord(own(this.learner.quizzes, item.id));
          view = card;
        } else if (item.name === remarkToolName) {
          view = new RemarkView({ doc: ctx.doc, strings: ctx.strings, open: (itemId) => ctx.post({ type: 'openRemark', turnId, itemId }) }, item, this.learner.review);
        } else view = new ToolView(ctx.doc, ctx.strings, item);
        break;
      case 'thinking':
        view = new ThinkingView(ctx.doc, ctx.strings, item);
        break;
      case 'notice':
        view = new NoticeView(ctx.doc, ctx.strings, item);
        break;
      default:
        return undefined;
    }
    this.views.set(item.id, view);
    this.unattached.push(view);
    return view;
  }

  /** Show (or, with no reason, remove) the notice that a request will be sent again. */
  private showRetrying(reason: string | undefined, delayMs = 0, attempt = 0): void {
    if (reason === undefined) {
      this.retryEl?.remove();
      this.retryEl = undefined;
      return;
    }
    if (!this.retryEl) {
      this.retryEl = this.ctx.doc.createElement('div');
      this.retryEl.className = 'run-retrying';
      this.retryEl.setAttribute('role', 'status');
      this.answer.insertBefore(this.retryEl, this.thinking);
    }
    const seconds = String(Math.max(1, Math.round(Number(delayMs) / 1000)));
    this.retryEl.textContent = this.ctx
      .strings()
      .retrying.replace('{0}', String(reason))
      .replace('{1}', seconds)
      .replace('{2}', String(Number(attempt)));
  }

  /**
   * A finished fence in the explanation gets the same actions as interpreter code. The fence is named by its place
   * among the item's fences when clicked; the host finds it in the text it owns.
   */
  private addFenceActions(textEl: HTMLElement, itemId: string, pre: HTMLElement): void {
    const { doc } = this.ctx;
    const bar = doc.createElement('div');
    bar.className = 'fence-toolbar';
    const actions = createCodeActions(doc, this.ctx.strings, (action) => {
      const fence = Array.from(textEl.querySelectorAll('pre.md-code')).indexOf(pre);
      if (fence >= 0) this.ctx.codeAction(this.turn.id, itemId, action, fence);
    });
    bar.append(actions.el);
    pre.parentNode?.insertBefore(bar, pre);
    pre.tabIndex = 0;
  }

  /** `appended`: the text delta that made this change (the text view then need not read the whole text). */
  private noteChange(view: ItemView, item: TranscriptItem, now: number, authoritative: boolean, appended?: string): void {
    if (view instanceof TextView && item.type === 'text') {
      // A refusal is still the tutor's answer, marked as one (the label is drawn by CSS from the attribute).
      if (item.refusal === true && view.el.dataset.refusal === undefined) view.el.dataset.refusal = this.ctx.strings().refusal;
      view.change(String(item.text), now, authoritative, appended);
      if (this.run.status !== 'in_progress') view.finish();
    } else if (view instanceof CodeView && item.type === 'code') {
      view.change(item, authoritative);
      const p = this.predictions.get(item.id);
      if (p) {
        p.change(item, this.run.status);
        this.dirty.add(p);
      }
    } else if ((view instanceof ToolView || view instanceof QuizCard || view instanceof RemarkView) && item.type === 'tool') view.change(item);
    else if (view instanceof WithheldView && item.type === 'withheld') view.change(item);
    else if (view instanceof ThinkingView && item.type === 'thinking') view.change(item);
    this.dirty.add(view);
  }

  private withheldContext(itemId: string) {
    const { ctx } = this;
    return { doc: ctx.doc, strings: ctx.strings, modeLabel: ctx.modeLabel, running: () => this.run.status === 'in_progress', reveal: () => ctx.reveal(this.turn.id, itemId) };
  }

  private renderStatus(): void {
    this.statusDirty = false;
    const { doc } = this.ctx;
    const s = this.ctx.strings();
    const run = this.run;
    this.el.dataset.status = run.status;
    this.thinking.hidden = run.status !== 'in_progress' || itemCount(run) > 0;
    if (run.status === 'in_progress' || this.endShown) return;
    this.endShown = true;
    let mark: HTMLElement | null = null;
    if (run.status === 'cancelled') {
      mark = doc.createElement('div');
      mark.className = 'run-end run-stopped';
      mark.textContent = s.stopped;
    } else if (run.status === 'incomplete') {
      mark = doc.createElement('div');
      mark.className = 'run-end run-incomplete';
      if (run.reason) mark.append(`${s.incomplete} (`, isolated(doc, run.reason), ')');
      else mark.textContent = s.incomplete;
    } else if (run.status === 'failed') {
      mark = doc.createElement('div');
      mark.className = 'run-end run-error';
      mark.setAttribute('role', 'alert');
      const kind = run.error && Object.hasOwn(errorHeadlineKey, run.error.kind) ? (run.error.kind as ErrorKind) : undefined;
      const headline = doc.createElement('div');
      headline.className = 'run-error-headline';
      headline.textContent = kind ? s[errorHeadlineKey[kind]] : s.failed;
      const msg = doc.createElement('div');
      msg.className = 'run-error-message';
      if (run.error) msg.append(isolated(doc, run.error.message, undefined, true));
      const actions = doc.createElement('div');
      actions.className = 'run-error-actions';
      for (const a of kind ? actionsForError(kind) : (['retry'] as const)) {
        actions.append(createButton(doc, { inline: true, label: s[a], className: 'run-action', onClick: () => this.ctx.action(a) }));
      }
      mark.append(headline, msg, actions);
    }
    if (mark) this.answer.append(mark);
    if (run.status === 'completed' && this.learner.kind !== 'quiz') {
      const turnId = this.turn.id;
      const check = createButton(doc, { inline: true, label: s.checkUnderstanding, className: 'check-understanding', onClick: () => this.ctx.post({ type: 'checkUnderstanding', turnId }) });
      const row = doc.createElement('div');
      row.className = 'turn-followups';
      row.append(check);
      this.answer.append(row);
    }
  }
}
