/**
 * The history list: a native tree view (keyboard and screen-reader support come with it) listing every saved chat,
 * newest first, with its title, date and mode. Clicking one opens it in the sidebar chat.
 */
import * as vscode from 'vscode';
import type { ChatManager } from '../chat/chatManager';
import type { ChatSummary } from '../chat/storedChat';

export const historyViewId = 'codeTutor.history';

/** What the history shows for a chat's mode (a mode this version does not know is shown as it is). */
export function modeLabel(mode: string): string {
  switch (mode) {
    case 'explain':
      return vscode.l10n.t('Explain');
    case 'hint':
      return vscode.l10n.t('Hint');
    case 'review':
      return vscode.l10n.t('Review');
    default:
      return mode;
  }
}

export class HistoryTree implements vscode.TreeDataProvider<ChatSummary>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly manager: ChatManager) {
    this.subscription = manager.onDidChangeHistory(() => this._onDidChangeTreeData.fire());
  }

  async getChildren(element?: ChatSummary): Promise<ChatSummary[]> {
    if (element) return [];
    await this.manager.whenReady();
    return this.manager.list();
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(s: ChatSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(s.title, vscode.TreeItemCollapsibleState.None);
    item.id = s.id;
    const date = new Date(s.updatedAt).toLocaleString(vscode.env.language, { dateStyle: 'medium', timeStyle: 'short' });
    item.description = s.mode ? `${date} · ${modeLabel(s.mode)}` : date;
    item.tooltip = new vscode.MarkdownString(
      [`**${escapeMarkdown(s.title)}**`, vscode.l10n.t('{0} questions, last changed {1}', s.turnCount, date), ...(s.mode ? [vscode.l10n.t('Mode: {0}', modeLabel(s.mode))] : [])].join('\n\n'),
    );
    item.accessibilityInformation = { label: `${s.title}, ${item.description}`, role: 'treeitem' };
    item.iconPath = new vscode.ThemeIcon('comment-discussion');
    item.contextValue = 'codeTutor.chat';
    item.command = { command: 'codeTutor.openChat', title: vscode.l10n.t('Open Chat'), arguments: [s] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChangeTreeData.dispose();
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
