/**
 * The history's commands: open, rename, delete (with Undo), search, export as a Jupyter notebook or Markdown,
 * regenerate and edit-and-resend. Each takes the chat it was invoked on (a history row) or, from the palette,
 * the selected row or the sidebar's current chat.
 */
import * as vscode from 'vscode';
import type { ChatManager, ChatSlot } from '../chat/chatManager';
import { chatToMarkdown } from '../chat/export/markdown';
import { type NotebookLabels, chatToNotebook, notebookJson } from '../chat/export/notebook';
import { type ChatRecord, type ChatSummary, chatTitle } from '../chat/storedChat';
import { modeLabel } from '../views/historyTree';

export interface ChatCommandDeps {
  readonly manager: ChatManager;
  readonly history: vscode.TreeView<ChatSummary>;
  readonly log: vscode.LogOutputChannel;
  /** Reveal the sidebar chat. */
  revealSidebar(): Promise<void>;
  /** The slot the learner is looking at (the panel when it is active). */
  activeSlot(): ChatSlot;
}

function isSummary(v: unknown): v is ChatSummary {
  return typeof v === 'object' && v !== null && typeof (v as ChatSummary).id === 'string' && typeof (v as ChatSummary).title === 'string';
}

function labels(): NotebookLabels {
  return {
    you: vscode.l10n.t('You'),
    tutor: vscode.l10n.t('Tutor'),
    failed: vscode.l10n.t('The answer failed: {0}'),
    stopped: vscode.l10n.t('The answer was stopped here.'),
    file: vscode.l10n.t('File {0} ({1} bytes)'),
  };
}

/** A file name from a chat title: letters, digits and CJK kept, the rest dashes. */
function fileNameFor(record: ChatRecord): string {
  const base = chatTitle(record)
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return base || 'chat';
}

export function registerChatCommands(deps: ChatCommandDeps): vscode.Disposable {
  const { manager, history, log } = deps;

  /** The chat a command is about: its argument, else the selected history row, else the sidebar's chat. */
  const target = (arg: unknown): string | undefined => {
    if (isSummary(arg)) return arg.id;
    if (history.visible && history.selection[0]) return history.selection[0].id;
    const current = deps.activeSlot().session;
    return current.turnCount > 0 ? current.id : undefined;
  };

  const record = async (arg: unknown): Promise<ChatRecord | undefined> => {
    const id = target(arg);
    if (!id) {
      void vscode.window.showInformationMessage(vscode.l10n.t('This chat is empty. Ask a question first.'));
      return undefined;
    }
    const r = await manager.record(id);
    if ('turns' in r) return r;
    void vscode.window.showErrorMessage(vscode.l10n.t('The chat file {0} cannot be read: {1}', r.file, r.reason));
    return undefined;
  };

  const open = async (id: string) => {
    const problem = await manager.open(id, manager.sidebar);
    if (problem) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The chat file {0} cannot be read: {1}', problem.file, problem.reason));
      return;
    }
    await deps.revealSidebar();
  };

  const pickItem = (s: ChatSummary): vscode.QuickPickItem & { id: string } => ({
    id: s.id,
    label: s.title,
    description: new Date(s.updatedAt).toLocaleString(vscode.env.language, { dateStyle: 'medium', timeStyle: 'short' }),
    detail: s.mode ? modeLabel(s.mode) : undefined,
  });

  return vscode.Disposable.from(
    vscode.commands.registerCommand('codeTutor.openChat', async (arg?: unknown) => {
      if (isSummary(arg)) return open(arg.id);
      const picked = await vscode.window.showQuickPick(manager.list().map(pickItem), { title: vscode.l10n.t('Open Chat'), matchOnDescription: true });
      if (picked) await open(picked.id);
    }),

    vscode.commands.registerCommand('codeTutor.searchChats', async () => {
      // A quick pick over titles and contents: typing filters by every word, in any chat's text.
      const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { id: string }>();
      qp.title = vscode.l10n.t('Search Chats');
      qp.placeholder = vscode.l10n.t('Words from a question or an answer');
      qp.matchOnDescription = true;
      qp.matchOnDetail = true;
      qp.items = manager.list().map(pickItem);
      let generation = 0;
      const sub = qp.onDidChangeValue(async (value) => {
        const mine = ++generation;
        qp.busy = true;
        const found = value.trim() ? await manager.search(value) : manager.list();
        if (mine !== generation) return;
        qp.busy = false;
        // Content matches are always shown, even when the quick pick's own filter would hide them.
        qp.items = found.map((s) => ({ ...pickItem(s), alwaysShow: true }));
      });
      const accepted = new Promise<string | undefined>((resolve) => {
        qp.onDidAccept(() => resolve(qp.selectedItems[0]?.id));
        qp.onDidHide(() => resolve(undefined));
      });
      qp.show();
      const id = await accepted;
      sub.dispose();
      qp.dispose();
      if (id) await open(id);
    }),

    vscode.commands.registerCommand('codeTutor.renameChat', async (arg?: unknown) => {
      const id = target(arg);
      if (!id) return;
      const current = manager.list().find((s) => s.id === id);
      const title = await vscode.window.showInputBox({
        title: vscode.l10n.t('Rename Chat'),
        prompt: vscode.l10n.t('A new name for this chat'),
        value: current?.title ?? '',
        validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('The name cannot be empty.') : v.length > 80 ? vscode.l10n.t('The name is too long.') : undefined),
      });
      if (!title?.trim()) return;
      try {
        await manager.rename(id, title);
      } catch (e) {
        void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
      }
    }),

    vscode.commands.registerCommand('codeTutor.deleteChat', async (arg?: unknown) => {
      const id = target(arg);
      if (!id) return;
      const title = manager.list().find((s) => s.id === id)?.title ?? id;
      if (!(await manager.delete(id))) return;
      log.info(`moved chat ${id} to the trash`);
      const undo = vscode.l10n.t('Undo');
      const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Deleted the chat "{0}".', title), undo);
      if (choice === undo) await manager.restore(id);
    }),

    vscode.commands.registerCommand('codeTutor.exportNotebook', async (arg?: unknown) => {
      const r = await record(arg);
      if (!r) return;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = await vscode.window.showSaveDialog({
        title: vscode.l10n.t('Export Chat as Jupyter Notebook'),
        defaultUri: folder ? vscode.Uri.joinPath(folder, `${fileNameFor(r)}.ipynb`) : undefined,
        filters: { [vscode.l10n.t('Jupyter Notebook')]: ['ipynb'] },
      });
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, Buffer.from(notebookJson(chatToNotebook(r, labels())), 'utf8'));
      log.info(`exported chat ${r.id} as a notebook`);
      await vscode.commands.executeCommand('vscode.openWith', uri, 'jupyter-notebook');
    }),

    vscode.commands.registerCommand('codeTutor.exportMarkdown', async (arg?: unknown) => {
      const r = await record(arg);
      if (!r) return;
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: chatToMarkdown(r, labels()) });
      await vscode.window.showTextDocument(doc);
    }),

    vscode.commands.registerCommand('codeTutor.regenerate', async () => {
      if (!(await deps.activeSlot().session.regenerate())) {
        void vscode.window.showInformationMessage(vscode.l10n.t('There is no answer to regenerate while the tutor is answering or before the first question.'));
      }
    }),

    vscode.commands.registerCommand('codeTutor.editLast', async () => {
      const session = deps.activeSlot().session;
      const last = session.lastQuestion();
      if (!last || session.isRunning) {
        void vscode.window.showInformationMessage(vscode.l10n.t('The last question can be edited once the tutor has finished answering.'));
        return;
      }
      const text = await vscode.window.showInputBox({ title: vscode.l10n.t('Edit and Resend'), value: last.text, ignoreFocusOut: true });
      if (text?.trim()) await session.editLast(text);
    }),
  );
}
