/**
 * The API key lives only in SecretStorage (never in settings, never in logs). OPENAI_API_KEY is the fallback,
 * so a learner who already has it in their environment needs no setup.
 */
import * as vscode from 'vscode';

const secretKey = 'codeTutor.apiKey';

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
    return (await this.secrets.get(secretKey)) || env.OPENAI_API_KEY || undefined;
  }

  /** Ask for the key with a password box and store it. Returns false when the learner cancelled. */
  async prompt(): Promise<boolean> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Code Tutor: Set API Key'),
      prompt: vscode.l10n.t('Paste the API key for your model provider. It is kept in VS Code\'s secret storage.'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('The key cannot be empty.') : /\s/.test(v.trim()) ? vscode.l10n.t('The key cannot contain spaces.') : undefined),
    });
    if (value === undefined) return false;
    await this.secrets.store(secretKey, value.trim());
    void vscode.window.showInformationMessage(vscode.l10n.t('Code Tutor: API key saved.'));
    return true;
  }
}
