/**
 * Binds one webview (the sidebar view or the editor panel) to a slot's current ChatSession (it follows the slot
 * when it switches to another chat): serves the page, checks every
 * message at the door, answers `ready` with a snapshot, forwards live events, and carries out the webview's
 * requests by reference (insert *item X of turn Y* — never text the webview sends).
 */
import * as vscode from 'vscode';
import type { ChatSlot } from '../chat/chatManager';
import type { ChatSession, TutorInputs } from '../chat/chatSession';
import { runCodeAction } from '../commands/codeActions';
import { insertCode } from '../commands/insertCode';
import { findCodeBlock } from '../shared/codeBlocks';
import { openLink } from '../commands/openLink';
import { saveOutput } from '../commands/saveOutput';
import { type HostAction, type HostToWebview, isWebviewToHost, type TutorViewState } from '../shared/protocol';
import { handleLearnerMessage } from '../tutor/learnerMessages';
import { EventBatcher } from './eventBatcher';
import { snapshotMessages } from './snapshotPages';
import { viewSettings } from './viewSettings';
import { uiStrings } from './uiStrings';
import { messageForWire, realItemId } from './wireIds';
import { renderWebviewHtml } from './webviewHtml';

export interface ChatWebviewDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly editors: { target(): vscode.TextEditor | undefined };
  /** Runs a host action (set key, open settings …) for this session. */
  runAction(action: HostAction, session: ChatSession): Promise<void>;
  /** The course rules in force and the default mode (issue 6); absent: explain, no course. */
  readonly tutor?: { current(): TutorInputs; readonly onDidChange: vscode.Event<unknown> };
}

export class ChatWebview implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private sessionSubscription: vscode.Disposable | undefined;
  /** Snapshots sent to this view: a page of older turns names the snapshot it belongs to. */
  private snapshots = 0;
  // Live events go out coalesced, at most one message per frame; a hidden view gets a snapshot when it shows.
  private readonly batcher = new EventBatcher({ post: (m) => void this.webview.postMessage(messageForWire(m)), snapshot: () => this.sendSnapshot() });

  constructor(
    private readonly webview: vscode.Webview,
    private readonly slot: ChatSlot,
    private readonly deps: ChatWebviewDeps,
    title: string,
  ) {
    webview.html = renderWebviewHtml(webview, deps.extensionUri, { title, lang: vscode.env.language });
    this.follow(slot.session);
    // A chat that is shown starts its local Python now (Pyodide's cold start hidden while the learner types).
    slot.session.prewarm();
    this.disposables.push(
      webview.onDidReceiveMessage((m) => this.receive(m)),
      slot.onDidSwitch((session) => {
        this.follow(session);
        session.prewarm();
        if (this.ready) this.sendSnapshot();
      }),
      ...(deps.tutor ? [deps.tutor.onDidChange(() => this.ready && this.sendTutor())] : []),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('codeTutor')) this.session.prewarm(); // switched to a local interpreter
        if (this.ready && e.affectsConfiguration('codeTutor')) this.post({ type: 'settings', settings: viewSettings() });
      }),
    );
  }

  private get session(): ChatSession {
    return this.slot.session;
  }

  private follow(session: ChatSession): void {
    this.sessionSubscription?.dispose();
    this.sessionSubscription = session.onDidChange((c) => {
      if (c.type === 'reset') session.prewarm(); // New Chat in the same session: a fresh namespace, started again
      if (!this.ready) return;
      if (c.type === 'reset' || c.type === 'changed') this.sendSnapshot();
      else if (c.type === 'mode') this.sendTutor();
      else if (c.type === 'learner') this.post({ type: 'learner', turnId: c.turnId, learner: c.learner });
      else if (c.type === 'turnStarted') this.batcher.push({ type: 'turnStarted', turn: c.turn });
      else this.batcher.push({ type: 'event', turnId: c.turnId, event: c.event });
    });
  }

  /** The view was hidden or shown (a sidebar view): no backlog while hidden, a snapshot when shown. */
  setVisible(visible: boolean): void {
    this.batcher.setVisible(visible);
  }

  /** Show a banner in this view. */
  notice(level: 'info' | 'error', text: string, actions: readonly HostAction[] = []): void {
    this.post({ type: 'notice', level, text, actions });
  }

  private post(m: HostToWebview): void {
    this.batcher.flush(); // what was queued before this message arrives before it
    void this.webview.postMessage(messageForWire(m));
  }

  /** The real id of an item the webview names (ids longer than the door allows travel as stand-ins). */
  private itemId(turnId: string, wire: string): string {
    return realItemId(this.session.snapshot().turns, turnId, wire) ?? wire;
  }

  private sendSnapshot(): void {
    this.batcher.discard(); // the snapshot holds everything queued
    const messages = snapshotMessages(++this.snapshots, this.session.snapshot(), uiStrings(), viewSettings());
    void this.webview.postMessage(messageForWire(messages[0]!));
    this.sendTutor();
    for (const m of messages.slice(1)) void this.webview.postMessage(messageForWire(m));
  }

  private tutorInputs(): TutorInputs | undefined {
    return this.deps.tutor?.current();
  }

  /** The header: the mode and the course rules in force. */
  private sendTutor(): void {
    const inputs = this.tutorInputs();
    if (!inputs) return;
    const e = this.session.effectiveMode(inputs);
    const { rules } = inputs;
    const tutor: TutorViewState = {
      mode: e.mode,
      allowed: e.allowed,
      locked: e.locked,
      source: e.source,
      ...(rules.course ? { course: rules.course } : {}),
      allowReveal: rules.allowReveal,
      maxSolutionLines: rules.maxSolutionLines,
    };
    this.post({ type: 'tutor', tutor });
  }

  private async receive(raw: unknown): Promise<void> {
    if (!isWebviewToHost(raw)) {
      this.deps.log.warn(`ignored a malformed message from the webview: ${describe(raw)}`);
      return;
    }
    // Items are named by their wire ids (long server ids travel as stand-ins): look up the real one once, here.
    const m = 'itemId' in raw && 'turnId' in raw ? { ...raw, itemId: this.itemId(raw.turnId, raw.itemId) } : raw;
    switch (m.type) {
      case 'ready':
        // A (re)loaded webview starts from a full snapshot, never from a backlog of deltas.
        this.ready = true;
        this.sendSnapshot();
        return;
      case 'ask':
        if (!(await this.session.ask({ text: m.text.trim() }))) {
          this.notice('info', vscode.l10n.t('The tutor is still answering. Wait for it, or press Stop.'));
        }
        return;
      case 'stop':
        this.session.stop();
        return;
      case 'regenerate':
        if (!(await this.session.regenerate())) this.notice('info', vscode.l10n.t('There is no answer to regenerate while the tutor is answering or before the first question.'));
        return;
      case 'editLast':
        if (!(await this.session.editLast(m.text))) this.notice('info', vscode.l10n.t('The last question can be edited once the tutor has finished answering.'));
        return;
      case 'insertCode': {
        const code = this.session.findCode(m.turnId, m.itemId);
        if (code === undefined) return this.notice('error', vscode.l10n.t('That code block no longer exists.'));
        const problem = await insertCode(this.deps.editors.target(), code);
        if (problem) this.notice('error', problem);
        return;
      }
      case 'copyCode': {
        const code = this.session.findCode(m.turnId, m.itemId);
        if (code !== undefined) await vscode.env.clipboard.writeText(code);
        return;
      }
      case 'saveOutput': {
        const output = this.session.findOutput(m.turnId, m.itemId, m.outputIndex);
        if (!output || output.type === 'logs') return this.notice('error', vscode.l10n.t('That file is no longer available.'));
        const problem = await saveOutput(output);
        if (problem) this.notice('error', problem);
        return;
      }
      case 'action':
        await this.deps.runAction(m.action, this.session);
        return;
      case 'setMode': {
        const inputs = this.tutorInputs();
        if (inputs && !this.session.setMode(m.mode, inputs)) this.notice('error', vscode.l10n.t('Your course does not allow this mode.'));
        return;
      }
      case 'reveal': {
        const inputs = this.tutorInputs();
        if (!inputs?.rules.allowReveal) return this.notice('error', vscode.l10n.t('Your course does not allow showing withheld code.'));
        const result = this.session.reveal(m.turnId, m.itemId);
        if (result === 'running') this.notice('info', vscode.l10n.t('Wait until the answer is finished, then show the code.'));
        else if (result === 'missing') this.notice('error', vscode.l10n.t('That code is no longer available.'));
        return;
      }
      case 'checkUnderstanding':
      case 'quizAnswer':
      case 'predict':
      case 'openRemark':
        await handleLearnerMessage(m, this.session, { log: this.deps.log, notice: (level, text) => this.notice(level, text) });
        return;
      case 'codeAction': {
        const block = findCodeBlock(this.session.snapshot().turns, m.turnId, m.itemId, m.fence);
        if (!block) return this.notice('error', vscode.l10n.t('That code block no longer exists.'));
        const problem = await runCodeAction(m.action, block, this.deps.editors.target());
        if (problem) this.notice('error', problem);
        return;
      }
      case 'openLink': {
        const problem = await openLink(m.href);
        if (problem) this.notice('error', problem);
        return;
      }
      default: {
        const never: never = m;
        return never;
      }
    }
  }

  dispose(): void {
    this.sessionSubscription?.dispose();
    this.batcher.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** A short, key-free description of a rejected message for the log. */
function describe(m: unknown): string {
  if (typeof m !== 'object' || m === null) return typeof m;
  const type = (m as { type?: unknown }).type;
  return `type=${typeof type === 'string' ? type.slice(0, 40) : typeof type}`;
}
