/**
 * Open a link from model text, the only way one can be opened: judged by the shared rules (src/shared/links.ts),
 * refused for local addresses and prefilled emails, and otherwise opened only after a modal question that shows
 * the real destination (host in punycode and Unicode, hidden characters made visible).
 */
import * as vscode from 'vscode';
import { judgeLink } from '../shared/links';
import { visibleLabel } from '../shared/safeText';

/** Returns a message for the learner when the link was refused, undefined when it was opened or declined. */
export async function openLink(href: string): Promise<string | undefined> {
  const j = judgeLink(href);
  if (!j.ok) {
    switch (j.reason) {
      case 'local':
        return vscode.l10n.t('This link was not opened: it points to your own computer or local network ({0}).', j.displayHost);
      case 'mailtoPrefilled':
        return vscode.l10n.t('This email link was not opened: it would fill in the message or add recipients. Never send a key or a password by email.');
      default:
        return vscode.l10n.t('This link was not opened: only web (http, https) and email links can be opened.');
    }
  }
  const lines = [vscode.l10n.t('It goes to: {0}', j.displayHost), visibleLabel(j.url)];
  if (j.hadCredentials) lines.push(vscode.l10n.t('Careful: the text before "@" in this address is not where it goes.'));
  const open = vscode.l10n.t('Open Link');
  const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Open this link from the tutor\'s answer?'), { modal: true, detail: lines.join('\n\n') }, open);
  if (choice !== open) return undefined;
  await vscode.env.openExternal(vscode.Uri.parse(j.url, true));
  return undefined;
}
