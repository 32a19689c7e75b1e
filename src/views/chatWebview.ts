/**
 * Binds one webview (the sidebar view or the editor panel) to one ChatSession: serves the page, checks every
 * message at the door, answers `ready` with a snapshot, forwards live events, and carries out the webview's
 * requests by reference (insert *item X of turn Y* — never text the webview sends).
 */
import * as vscode from 'vscode';
import type { ChatSession } from '../chat/chatSession';
import { insertCode } from '../commands/insertCode';
import { saveOutput } from '../commands/saveOutput';
import { type HostAction, type HostToWebview, isWebviewToHost } from '../shared/protocol';
import { viewSettings } from './viewSettings';
import { uiStrings } from './uiStrings';
import { renderWebviewHtml } from './webviewHtml';

export interface ChatWebviewDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly editors: { target(): vscode.TextEditor | undefined };
  /** Runs a host action (set key, open settings …) for this session. */
  runAction(action: HostAction, session: ChatSession): Promise<void>;
}

export class ChatWebview implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly session: ChatSession,
    private readonly deps: ChatWebviewDeps,
    title: string,
  ) {
    webview.html = renderWebviewHtml(webview, deps.extensionUri, { title, lang: vscode.env.language });
    this.disposables.push(
      webview.onDidReceiveMessage((m) => this.receive(m)),
      session.onDidChange((c) => {
        if (!this.ready) return;
        if (c.type === 'reset') this.sendSnapshot();
        else if (c.type === 'turnStarted') this.post({ type: 'turnStarted', turn: c.turn });
        else this.post({ type: 'event', turnId: c.turnId, event: c.event });
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (this.ready && e.affectsConfiguration('codeTutor')) this.post({ type: 'settings', settings: viewSettings() });
      }),
    );
  }

  /** Show a banner in this view. */
  notice(level: 'info' | 'error', text: string, actions: readonly HostAction[] = []): void {
    this.post({ type: 'notice', level, text, actions });
  }

  private post(m: HostToWebview): void {
    void this.webview.postMessage(m);
  }

  private sendSnapshot(): void {
    this.post({ type: 'snapshot', chat: this.session.snapshot(), strings: uiStrings(), settings: viewSettings() });
  }

  private async receive(m: unknown): Promise<void> {
    if (!isWebviewToHost(m)) {
      this.deps.log.warn(`ignored a malformed message from the webview: ${describe(m)}`);
      return;
    }
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
      default: {
        const never: never = m;
        return never;
      }
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** A short, key-free description of a rejected message for the log. */
function describe(m: unknown): string {
  if (typeof m !== 'object' || m === null) return typeof m;
  const type = (m as { type?: unknown }).type;
  return `type=${typeof type === 'string' ? type.slice(0, 40) : typeof type}`;
}
