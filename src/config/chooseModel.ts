/**
 * "Code Tutor: Choose Model" (the server's `/v1/models` in a quick pick), and the first-run offer of a local
 * server (Ollama or LM Studio answering on this computer) with its models.
 */
import * as vscode from 'vscode';
import { redactSecrets } from '../engine/errors';
import { detectLocalServers, listModels } from '../engine/models';
import { type ProviderPreset, presets, providerPresets } from '../engine/presets';
import { type ApiKeyStore, providerLabel } from './apiKey';
import { readSettings, section } from './settings';

async function pickModel(models: readonly string[], current: string, where: string): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick(
    models.map((id) => ({ label: id, description: id === current ? vscode.l10n.t('current') : undefined })),
    { title: vscode.l10n.t('Code Tutor: Choose Model'), placeHolder: vscode.l10n.t('Models on {0}', where), ignoreFocusOut: true },
  );
  return pick?.label;
}

export async function chooseModel(keys: ApiKeyStore, log: vscode.LogOutputChannel): Promise<void> {
  const s = readSettings();
  if (!s.baseUrl) {
    void vscode.window.showWarningMessage(vscode.l10n.t('{0} needs a base URL: set "codeTutor.baseUrl".', providerLabel(s.provider)));
    return;
  }
  const baseUrl = s.baseUrl;
  const apiKey = await keys.get(s.provider);
  const keyHeader = presets[s.provider].keyHeader;
  let models: string[];
  try {
    models = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Asking {0} for its models…', baseUrl) }, () =>
      listModels(baseUrl, apiKey, undefined, keyHeader && apiKey ? { [keyHeader]: apiKey } : undefined),
    );
  } catch (e) {
    const reason = redactSecrets(e instanceof Error ? e.message : String(e), apiKey);
    log.warn(`listing models of ${baseUrl} failed: ${reason}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not list the models of {0}: {1}', baseUrl, reason));
    return;
  }
  if (models.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} lists no models.', baseUrl));
    return;
  }
  const model = await pickModel(models, s.model, baseUrl);
  if (model) await vscode.workspace.getConfiguration(section).update('model', model, vscode.ConfigurationTarget.Global);
}

const firstRunKey = 'codeTutor.localServerOffered';

/** Once, when nothing is set up yet: if Ollama or LM Studio answers here, offer it with its models. */
export async function offerLocalServer(state: vscode.Memento, keys: ApiKeyStore, log: vscode.LogOutputChannel): Promise<void> {
  if (state.get<boolean>(firstRunKey)) return;
  const c = vscode.workspace.getConfiguration(section);
  const provider = c.inspect<string>('provider');
  const chosen = provider?.globalValue ?? provider?.workspaceValue ?? c.get<string>('baseUrl');
  if (chosen || process.env.OPENAI_BASE_URL || (await keys.get('openai'))) return; // already set up
  const servers = await detectLocalServers();
  await state.update(firstRunKey, true);
  const server = servers.find((s) => s.models.length > 0);
  if (!server) return;
  log.info(`found ${server.provider} at ${server.baseUrl} with ${server.models.length} models`);
  const label = providerLabel(server.provider as ProviderPreset);
  const use = vscode.l10n.t('Use {0}', label);
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t('{0} is running on this computer with {1} models. Use it for Code Tutor? No key is needed.', label, String(server.models.length)),
    use,
    vscode.l10n.t('Not now'),
  );
  if (answer !== use) return;
  const model = server.models.length === 1 ? server.models[0] : await pickModel(server.models, '', server.baseUrl);
  if (!model) return;
  await c.update('provider', server.provider, vscode.ConfigurationTarget.Global);
  await c.update('protocol', 'chat', vscode.ConfigurationTarget.Global);
  await c.update('model', model, vscode.ConfigurationTarget.Global);
}

/** "Code Tutor: Choose Provider": every preset, then its key (or, for a local server, its models). */
export async function chooseProvider(keys: ApiKeyStore, log: vscode.LogOutputChannel): Promise<void> {
  const current = readSettings().provider;
  const items = providerPresets.map((p) => ({
    label: providerLabel(p),
    description: p === current ? vscode.l10n.t('current') : presets[p].noKey ? vscode.l10n.t('on this computer, no key needed') : undefined,
    preset: p,
  }));
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Code Tutor: Choose Provider'), ignoreFocusOut: true });
  if (!pick) return;
  const c = vscode.workspace.getConfiguration(section);
  if (pick.preset !== current) await c.update('provider', pick.preset, vscode.ConfigurationTarget.Global);
  if (presets[pick.preset].noKey) await chooseModel(keys, log);
  else if (!(await keys.get(pick.preset))) await keys.prompt(pick.preset);
}
