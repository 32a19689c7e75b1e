/** The two places a chat is shown: the sidebar view and the editor panel opened by "Ask Assistant". */
import * as vscode from 'vscode';
import type { ChatSlot } from '../chat/chatManager';
import { ChatWebview, type ChatWebviewDeps } from './chatWebview';
import { localResourceRoots } from './webviewHtml';

export const sidebarViewId = 'codeTutor.chat';
export const panelViewType = 'codeTutor.panel';

export class ChatSidebarProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private current: ChatWebview | undefined;

  constructor(
    private readonly slot: ChatSlot,
    private readonly deps: ChatWebviewDeps,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(this.deps.extensionUri) };
    this.current?.dispose();
    const chat = new ChatWebview(view.webview, this.slot, this.deps, vscode.l10n.t('Code Tutor'));
    this.current = chat;
    view.onDidChangeVisibility(() => chat.setVisible(view.visible));
    view.onDidDispose(() => {
      chat.dispose();
      if (this.current === chat) this.current = undefined;
    });
  }

  /** Reveal the sidebar chat (resolving it if needed). */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${sidebarViewId}.focus`);
  }

  dispose(): void {
    this.current?.dispose();
  }
}

export class ChatPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private chat: ChatWebview | undefined;

  constructor(
    private readonly slot: ChatSlot,
    private readonly deps: ChatWebviewDeps,
  ) {}

  get isActive(): boolean {
    return this.panel?.active ?? false;
  }

  /** Open the panel beside the editor, or bring it back if it is already open. */
  show(): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      panelViewType,
      vscode.l10n.t('Code Tutor'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: localResourceRoots(this.deps.extensionUri) },
    );
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'tutor.svg');
    this.panel = panel;
    const chat = new ChatWebview(panel.webview, this.slot, this.deps, vscode.l10n.t('Code Tutor'));
    this.chat = chat;
    panel.onDidChangeViewState(() => chat.setVisible(panel.visible));
    panel.onDidDispose(() => {
      this.chat?.dispose();
      this.chat = undefined;
      this.panel = undefined;
    });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
