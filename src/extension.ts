/** activate(): build the services, register commands and views, push one root disposable. Nothing else. */
import * as vscode from 'vscode';
import { ChatManager } from './chat/chatManager';
import type { ChatSession, RunSetup } from './chat/chatSession';
import { ChatStore } from './chat/chatStore';
import { registerChatCommands } from './commands/chatCommands';
import { explainSelection } from './commands/explainSelection';
import { InstructionsDocuments, instructionsScheme } from './commands/showInstructions';
import { EditorTracker } from './commands/insertCode';
import { createLocalInterpreter, readLocalRuntimeSettings } from './interpreter/localRuntime';
import { downloadPythonPackages, installPythonPackagesFromFolder } from './interpreter/pythonPackages';
import { ApiKeyStore, providerLabel } from './config/apiKey';
import { chooseModel, chooseProvider, offerLocalServer } from './config/chooseModel';
import { providerConfig, readDefaultMode, readSettings, runsCodeLocally } from './config/settings';
import { baseUrlProblem, createProvider } from './engine/createProvider';
import { presets } from './engine/presets';
import type { HostAction } from './shared/protocol';
import { workspaceTools } from './tools/workspaceTools';
import { CourseWatcher } from './tutor/courseWatcher';
import { buildInstructions } from './tutor/instructions';
import { registerTutorCommands } from './tutor/tutorCommands';
import { ChatPanel, ChatSidebarProvider, sidebarViewId } from './views/chatViews';
import { HistoryTree, historyViewId } from './views/historyTree';

let activeManager: ChatManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Code Tutor', { log: true });
  const keys = new ApiKeyStore(context.secrets);
  const editors = new EditorTracker();
  // Issue 6: the nearest .codetutor.json to the file being worked on, and the codeTutor.mode default.
  const course = new CourseWatcher(() => editors.target()?.document.uri, log);
  const tutorChanged = new vscode.EventEmitter<void>();
  const tutor = { current: () => ({ rules: course.current.rules, defaultMode: readDefaultMode() }), onDidChange: tutorChanged.event };
  const instructionsDocs = new InstructionsDocuments();

  const setup: RunSetup = {
    log,
    tools: () => workspaceTools(editors),
    tutor: async () => ({ rules: (await course.refresh()).rules, defaultMode: readDefaultMode() }),
    // The course file's `predictBeforeRun` turns it on too (ChatSession.ask reads the course rules).
    predictBeforeRun: () => vscode.workspace.getConfiguration('codeTutor').get<boolean>('predictBeforeRun', false),
    interpreter: {
      mode: () => {
        const s = readSettings();
        return s.interpreter === 'off' ? 'off' : runsCodeLocally(s) ? 'local' : 'hosted';
      },
      create: () => createLocalInterpreter(context),
      warmOnOpen: () => readLocalRuntimeSettings().runtime === 'pyodide',
    },
    async provider() {
      const s = readSettings();
      const apiKey = await keys.get(s.provider);
      if (!apiKey) {
        return { kind: 'auth', message: vscode.l10n.t('No API key is set for {0}. Run "Code Tutor: Set API Key" or set {1}.', providerLabel(s.provider), presets[s.provider].keyEnv[0]) };
      }
      if (!s.baseUrl) return { kind: 'usage', message: vscode.l10n.t('{0} needs a base URL: set "codeTutor.baseUrl".', providerLabel(s.provider)) };
      const problem = baseUrlProblem(s.baseUrl);
      if (problem) return { kind: 'usage', message: vscode.l10n.t('The base URL setting is not usable: {0}', problem) };
      try {
        return createProvider(providerConfig(s, apiKey));
      } catch (e) {
        return { kind: 'usage', message: e instanceof Error ? e.message : String(e) };
      }
    },
  };

  // Chats are files in the workspace's storage (they are about this workspace's code, as the old workspace-state
  // chat was); a window without a folder keeps them in the global storage.
  const storage = context.storageUri ?? context.globalStorageUri;
  const manager = new ChatManager(new ChatStore(vscode.Uri.joinPath(storage, 'chats').fsPath), setup, context.workspaceState);
  activeManager = manager;
  const slotOf = (session: ChatSession) => (manager.panel.session === session ? manager.panel : manager.sidebar);

  const runAction = async (action: HostAction, session: ChatSession): Promise<void> => {
    switch (action) {
      case 'setApiKey':
        await keys.prompt(readSettings().provider);
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'codeTutor');
        return;
      case 'retryWithoutCodeInterpreter':
      case 'retry': {
        if (action === 'retryWithoutCodeInterpreter') session.disableCodeInterpreter();
        const q = session.lastQuestion();
        if (q) await session.ask(q);
        return;
      }
      case 'newChat':
        manager.newChat(slotOf(session));
        return;
      default: {
        const never: never = action;
        return never;
      }
    }
  };

  const deps = { extensionUri: context.extensionUri, log, editors, runAction, tutor };
  const sidebar = new ChatSidebarProvider(manager.sidebar, deps);
  const panel = new ChatPanel(manager.panel, deps);
  const historyTree = new HistoryTree(manager);
  const history = vscode.window.createTreeView(historyViewId, { treeDataProvider: historyTree, showCollapseAll: false });

  // The context key drives the Stop button. It changes only when a run starts or ends, so it is set then and not
  // once per streamed delta (each setContext is a round trip to the workbench).
  const updateRunning = (now: boolean) => void vscode.commands.executeCommand('setContext', 'codeTutor.running', now);
  /** A new chat in `slot`; the sidebar is shown when the chat is there. */
  const startChat = async (slot: typeof manager.sidebar): Promise<void> => {
    manager.newChat(slot);
    if (slot === manager.sidebar) await sidebar.reveal();
  };
  const busy = () => void vscode.window.showInformationMessage(vscode.l10n.t('The tutor is still answering. Wait for it, or run "Code Tutor: Stop".'));

  context.subscriptions.push(
    vscode.Disposable.from(
      log,
      editors,
      manager,
      sidebar,
      panel,
      historyTree,
      history,
      manager.onDidChangeRunning(updateRunning),
      vscode.window.registerWebviewViewProvider(sidebarViewId, sidebar),
      registerChatCommands({
        manager,
        history,
        log,
        revealSidebar: () => sidebar.reveal(),
        activeSlot: () => (panel.isActive ? manager.panel : manager.sidebar),
      }),
      vscode.commands.registerCommand('codeTutor.askExample', async () => {
        await sidebar.reveal();
        const session = manager.newChat(manager.sidebar);
        if (!(await session.ask({ text: vscode.l10n.t('What is a list comprehension in Python? Show me with a small example.') }))) busy();
      }),
      vscode.commands.registerCommand('codeTutor.ask', async (question?: unknown) => {
        const text =
          typeof question === 'string' && question.trim()
            ? question
            : await vscode.window.showInputBox({
                title: vscode.l10n.t('Code Tutor: Ask Assistant'),
                prompt: vscode.l10n.t('What would you like to learn?'),
                placeHolder: vscode.l10n.t('e.g. How do Python list comprehensions work?'),
                ignoreFocusOut: true,
                validateInput: (v) => (v.length > 20_000 ? vscode.l10n.t('The question is too long.') : undefined),
              });
        if (!text?.trim()) return;
        panel.show();
        if (!(await manager.panel.session.ask({ text: text.trim() }))) busy();
      }),
      vscode.commands.registerCommand('codeTutor.explainSelection', async () => {
        const question = explainSelection(vscode.window.activeTextEditor);
        if (typeof question === 'string') {
          void vscode.window.showWarningMessage(question);
          return;
        }
        await sidebar.reveal();
        if (!(await manager.sidebar.session.ask(question))) busy();
      }),
      registerTutorCommands({ session: () => manager.sidebar.session, log, reveal: () => sidebar.reveal(), busy }),
      vscode.commands.registerCommand('codeTutor.setApiKey', () => keys.prompt(readSettings().provider)),
      vscode.commands.registerCommand('codeTutor.chooseModel', () => chooseModel(keys, log)),
      vscode.commands.registerCommand('codeTutor.chooseProvider', () => chooseProvider(keys, log)),
      // The palette's New Chat: in the chat in front. The sidebar's and the history's title buttons: in the sidebar,
      // even while the panel is the active editor.
      vscode.commands.registerCommand('codeTutor.newChat', () => startChat(panel.isActive ? manager.panel : manager.sidebar)),
      vscode.commands.registerCommand('codeTutor.newSidebarChat', () => startChat(manager.sidebar)),
      vscode.commands.registerCommand('codeTutor.stop', () => {
        manager.sidebar.session.stop();
        manager.panel.session.stop();
      }),
      course,
      tutorChanged,
      course.onDidChange(() => tutorChanged.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('codeTutor.mode')) tutorChanged.fire();
      }),
      instructionsDocs,
      vscode.workspace.registerTextDocumentContentProvider(instructionsScheme, instructionsDocs),
      vscode.commands.registerCommand('codeTutor.showInstructions', async () => {
        // The chat in front; else the one that asked last. What it sent last, else what it would send now.
        const sidebarSession = manager.sidebar.session;
        const panelSession = manager.panel.session;
        const session = panel.isActive || (panelSession.instructions && !sidebarSession.instructions) ? panelSession : sidebarSession;
        const inputs = { rules: (await course.refresh()).rules, defaultMode: readDefaultMode() };
        await instructionsDocs.show(session.instructions ?? buildInstructions({ mode: session.effectiveMode(inputs).mode, rules: inputs.rules }));
      }),
      vscode.commands.registerCommand('codeTutor.downloadPythonPackages', () => downloadPythonPackages(context)),
      vscode.commands.registerCommand('codeTutor.installPythonPackagesFromFolder', () => installPythonPackagesFromFolder(context)),
    ),
  );
  log.info(`Code Tutor activated (${readSettings().provider}, ${readSettings().protocol})`);
  void manager.init().then(
    (problems) => {
      for (const p of problems) log.warn(`skipped the damaged chat file ${p.file}: ${p.reason}`);
      if (problems.length > 0) {
        void vscode.window.showWarningMessage(
          vscode.l10n.t('Some saved chats could not be read and were skipped (the files are kept): {0}', problems.map((p) => `${p.file} (${p.reason})`).join('; ')),
        );
      }
    },
    (e: unknown) => log.error(`could not read the chat history: ${e instanceof Error ? e.message : String(e)}`),
  );
  void offerLocalServer(context.globalState, keys, log).catch((e: unknown) => log.warn(`looking for a local server failed: ${String(e)}`));
}

/** Everything is disposed through context.subscriptions; chats still being saved are written first. */
export async function deactivate(): Promise<void> {
  await activeManager?.flush();
  activeManager = undefined;
}
