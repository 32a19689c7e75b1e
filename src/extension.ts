/** activate(): build the services, register commands and views, push one root disposable. Nothing else. */
import * as vscode from 'vscode';
import { ChatSession, type RunSetup, type SessionChange } from './chat/chatSession';
import { createLocalInterpreter } from './chat/localInterpreterHost';
import { explainSelection } from './commands/explainSelection';
import { EditorTracker } from './commands/insertCode';
import { ApiKeyStore, providerLabel } from './config/apiKey';
import { chooseModel, chooseProvider, offerLocalServer } from './config/chooseModel';
import { providerConfig, readSettings, runsCodeLocally } from './config/settings';
import { baseUrlProblem, createProvider } from './engine/createProvider';
import { presets } from './engine/presets';
import type { HostAction } from './shared/protocol';
import { workspaceTools } from './tools/workspaceTools';
import { ChatPanel, ChatSidebarProvider, sidebarViewId } from './views/chatViews';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Code Tutor', { log: true });
  const keys = new ApiKeyStore(context.secrets);
  const editors = new EditorTracker();

  const setup: RunSetup = {
    log,
    tools: () => workspaceTools(editors),
    interpreter: {
      mode: () => {
        const s = readSettings();
        return s.interpreter === 'off' ? 'off' : runsCodeLocally(s) ? 'local' : 'hosted';
      },
      create: () => createLocalInterpreter(),
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

  const sidebarSession = new ChatSession('codeTutor.chat.sidebar', context.workspaceState, setup);
  const panelSession = new ChatSession('codeTutor.chat.panel', context.workspaceState, setup);

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
        session.reset();
        return;
      default: {
        const never: never = action;
        return never;
      }
    }
  };

  const deps = { extensionUri: context.extensionUri, log, editors, runAction };
  const sidebar = new ChatSidebarProvider(sidebarSession, deps);
  const panel = new ChatPanel(panelSession, deps);

  // The context key drives the Stop button. It changes only when a run starts or ends, so it is set then and not
  // once per streamed delta (each setContext is a round trip to the workbench).
  let running = false;
  const updateRunning = (c: SessionChange) => {
    if (c.type === 'event' && c.event.kind !== 'run.finished') return;
    const now = sidebarSession.isRunning || panelSession.isRunning;
    if (now === running) return;
    running = now;
    void vscode.commands.executeCommand('setContext', 'codeTutor.running', now);
  };
  const busy = () => void vscode.window.showInformationMessage(vscode.l10n.t('The tutor is still answering. Wait for it, or run "Code Tutor: Stop".'));

  context.subscriptions.push(
    vscode.Disposable.from(
      log,
      editors,
      sidebarSession,
      panelSession,
      sidebar,
      panel,
      sidebarSession.onDidChange(updateRunning),
      panelSession.onDidChange(updateRunning),
      vscode.window.registerWebviewViewProvider(sidebarViewId, sidebar),
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
        if (!(await panelSession.ask({ text: text.trim() }))) busy();
      }),
      vscode.commands.registerCommand('codeTutor.explainSelection', async () => {
        const question = explainSelection(vscode.window.activeTextEditor);
        if (typeof question === 'string') {
          void vscode.window.showWarningMessage(question);
          return;
        }
        await sidebar.reveal();
        if (!(await sidebarSession.ask(question))) busy();
      }),
      vscode.commands.registerCommand('codeTutor.setApiKey', () => keys.prompt(readSettings().provider)),
      vscode.commands.registerCommand('codeTutor.chooseModel', () => chooseModel(keys, log)),
      vscode.commands.registerCommand('codeTutor.chooseProvider', () => chooseProvider(keys, log)),
      vscode.commands.registerCommand('codeTutor.newChat', () => (panel.isActive ? panelSession : sidebarSession).reset()),
      vscode.commands.registerCommand('codeTutor.stop', () => {
        sidebarSession.stop();
        panelSession.stop();
      }),
    ),
  );
  log.info(`Code Tutor activated (${readSettings().provider}, ${readSettings().protocol})`);
  void offerLocalServer(context.globalState, keys, log).catch((e: unknown) => log.warn(`looking for a local server failed: ${String(e)}`));
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
