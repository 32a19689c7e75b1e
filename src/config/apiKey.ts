/**
 * API keys live only in SecretStorage (never in settings, never in logs), one per provider preset. The
 * provider's usual environment variable (OPENAI_API_KEY, DASHSCOPE_API_KEY …) is the fallback, so a learner who
 * already has one needs no setup.
 */
import * as vscode from 'vscode';
import { type ProviderPreset, noKeyPlaceholder, presets } from '../engine/presets';

const secretKey = (provider: ProviderPreset) => `codeTutor.apiKey.${provider}`;

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(provider: ProviderPreset, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
    const stored = await this.secrets.get(secretKey(provider));
    if (stored) return stored;
    for (const name of presets[provider].keyEnv) if (env[name]) return env[name];
    // A server on this machine needs no key (a key set for it anyway is used).
    return presets[provider].noKey ? noKeyPlaceholder : undefined;
  }

  /** Ask for the key with a password box and store it. Returns false when the learner cancelled. */
  async prompt(provider: ProviderPreset): Promise<boolean> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Code Tutor: Set API Key'),
      prompt: vscode.l10n.t('Paste the API key for {0}. It is kept in VS Code\'s secret storage.', providerLabel(provider)),
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('The key cannot be empty.') : /\s/.test(v.trim()) ? vscode.l10n.t('The key cannot contain spaces.') : undefined),
    });
    if (value === undefined) return false;
    await this.secrets.store(secretKey(provider), value.trim());
    void vscode.window.showInformationMessage(vscode.l10n.t('Code Tutor: API key saved.'));
    return true;
  }
}

export function providerLabel(provider: ProviderPreset): string {
  switch (provider) {
    case 'openai':
      return 'OpenAI';
    case 'azure':
      return 'Azure OpenAI';
    case 'dashscope':
      return vscode.l10n.t('DashScope (Qwen)');
    case 'compatible':
      return vscode.l10n.t('your OpenAI-compatible server');
    case 'ollama':
      return 'Ollama';
    case 'lmstudio':
      return 'LM Studio';
    case 'llamacpp':
      return vscode.l10n.t('llama.cpp server');
    case 'deepseek':
      return 'DeepSeek';
    case 'openrouter':
      return 'OpenRouter';
  }
}
