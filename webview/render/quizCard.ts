/**
 * "Check my understanding": the tutor's `quiz` tool call as an interactive card. The learner answers here; the
 * host judges the answer locally (no model call) and sends back the record, which this card shows: right or not,
 * the answer, the explanation and the score. Malformed arguments give a clear note, never a broken card.
 */
import type { QuizRecord } from '../../src/shared/learner';
import { own, quizScore } from '../../src/shared/learner';
import type { UiStrings } from '../../src/shared/protocol';
import { parseQuiz, type Quiz, type QuizQuestion } from '../../src/shared/quiz';
import type { ToolItem } from '../../src/shared/transcript';
import { createButton, setButtonDisabled } from '../ui/toolkit';
import { renderMarkdown } from './markdown';
import { sanitizedFragment } from './sanitize';

export interface QuizCardContext {
  readonly doc: Document;
  readonly strings: () => UiStrings;
  /** Send an answer to question `index` (the host judges it). */
  readonly answer: (itemId: string, index: number, answer: string) => void;
}

interface QuestionDom {
  readonly el: HTMLElement;
  readonly controls: HTMLElement[];
  readonly input?: HTMLTextAreaElement;
  readonly choiceButtons: Map<string, HTMLElement>;
  readonly result: HTMLElement;
  shown: boolean;
}

export class QuizCard {
  readonly el: HTMLElement;
  private item: ToolItem;
  private record: QuizRecord | undefined;
  private builtFor: string | null = null;
  private quiz: Quiz | null = null;
  private questions: QuestionDom[] = [];
  private score: HTMLElement | null = null;
  private dirty = true;

  constructor(
    private readonly ctx: QuizCardContext,
    item: ToolItem,
  ) {
    this.item = item;
    this.el = ctx.doc.createElement('div');
    this.el.className = 'quiz-item';
    this.el.dataset.itemId = item.id;
  }

  change(item: ToolItem): void {
    this.item = item;
    this.dirty = true;
  }

  setRecord(record: QuizRecord | undefined): void {
    this.record = record;
    this.dirty = true;
  }

  frame(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    const args = String(this.item.arguments ?? '');
    if (this.builtFor !== args) this.build(args);
    if (this.quiz) this.showRecord();
    return false;
  }

  private build(args: string): void {
    const { doc } = this.ctx;
    const s = this.ctx.strings();
    this.builtFor = args;
    this.questions = [];
    this.score = null;
    const parsed = parseQuiz(args);
    if (!parsed.ok) {
      this.quiz = null;
      const note = doc.createElement('div');
      note.className = 'quiz-malformed';
      note.setAttribute('role', 'note');
      note.textContent = `${s.quizMalformed} ${parsed.problem}.`;
      this.el.replaceChildren(note);
      return;
    }
    this.quiz = parsed.quiz;
    const card = doc.createElement('section');
    card.className = 'quiz-card';
    const title = doc.createElement('div');
    title.className = 'quiz-title';
    title.textContent = s.quizTitle;
    title.id = `quiz-title-${this.item.id}`;
    card.setAttribute('aria-labelledby', title.id);
    const list = doc.createElement('ol');
    list.className = 'quiz-questions';
    parsed.quiz.questions.forEach((q, i) => {
      const dom = this.question(q, i);
      this.questions.push(dom);
      list.append(dom.el);
    });
    this.score = doc.createElement('div');
    this.score.className = 'quiz-score';
    this.score.setAttribute('aria-live', 'polite');
    card.append(title, list, this.score);
    this.el.replaceChildren(card);
  }

  private question(q: QuizQuestion, index: number): QuestionDom {
    const { doc } = this.ctx;
    const s = this.ctx.strings();
    const itemId = this.item.id;
    const el = doc.createElement('li');
    el.className = 'quiz-question';
    el.dataset.index = String(index);
    el.dataset.kind = q.kind;
    el.dataset.state = 'open';
    const prompt = doc.createElement('div');
    prompt.className = 'quiz-prompt md-text';
    prompt.append(sanitizedFragment(doc, renderMarkdown(q.prompt)));
    const controls: HTMLElement[] = [];
    const choiceButtons = new Map<string, HTMLElement>();
    const answerBox = doc.createElement('div');
    answerBox.className = 'quiz-answer';
    let input: HTMLTextAreaElement | undefined;
    if (q.kind === 'choice') {
      answerBox.classList.add('quiz-choices');
      for (const choice of q.choices ?? []) {
        const b = createButton(doc, { inline: true, label: choice, className: 'quiz-choice', onClick: () => this.ctx.answer(itemId, index, choice) });
        choiceButtons.set(choice, b);
        controls.push(b);
        answerBox.append(b);
      }
    } else {
      input = doc.createElement('textarea');
      input.className = 'quiz-input';
      input.rows = 2;
      input.setAttribute('aria-label', s.quizYourAnswer);
      input.placeholder = s.quizYourAnswer;
      const box = input;
      const check = createButton(doc, { inline: true,
        label: s.quizCheck,
        className: 'quiz-check',
        appearance: 'primary',
        onClick: () => {
          if (box.value.trim()) this.ctx.answer(itemId, index, box.value);
        },
      });
      controls.push(check);
      answerBox.append(input, check);
    }
    const result = doc.createElement('div');
    result.className = 'quiz-result';
    result.hidden = true;
    result.setAttribute('aria-live', 'polite');
    el.append(prompt, answerBox, result);
    return { el, controls, input, choiceButtons, result, shown: false };
  }

  private showRecord(): void {
    const { doc } = this.ctx;
    const s = this.ctx.strings();
    const quiz = this.quiz!;
    quiz.questions.forEach((q, i) => {
      const dom = this.questions[i];
      const a = own(this.record, String(i));
      if (!dom || !a || dom.shown) return;
      dom.shown = true;
      dom.el.dataset.state = a.correct ? 'right' : 'wrong';
      for (const c of dom.controls) setButtonDisabled(c, true);
      if (dom.input) {
        dom.input.value = String(a.answer);
        dom.input.readOnly = true;
      }
      dom.choiceButtons.get(String(a.answer))?.classList.add('quiz-chosen');
      dom.choiceButtons.get(q.answer)?.classList.add('quiz-correct');
      const verdict = doc.createElement('div');
      verdict.className = 'quiz-verdict';
      verdict.textContent = a.correct ? s.quizRight : s.quizWrong;
      const parts: HTMLElement[] = [verdict];
      if (!a.correct) {
        const answer = doc.createElement('div');
        answer.className = 'quiz-expected';
        const label = doc.createElement('span');
        label.textContent = `${s.quizAnswerWas} `;
        const value = doc.createElement('code');
        value.textContent = q.answer;
        answer.append(label, value);
        parts.push(answer);
      }
      const why = doc.createElement('div');
      why.className = 'quiz-explanation md-text';
      why.append(sanitizedFragment(doc, renderMarkdown(q.explanation)));
      parts.push(why);
      dom.result.replaceChildren(...parts);
      dom.result.hidden = false;
    });
    const { right, answered } = quizScore(this.record);
    if (this.score) {
      this.score.hidden = answered === 0;
      this.score.dataset.right = String(right);
      this.score.dataset.answered = String(answered);
      this.score.textContent = s.quizScore.replace('{0}', String(right)).replace('{1}', String(quiz.questions.length));
    }
  }
}
