/** The webview's string table, localized on the host with vscode.l10n (the webview has no l10n API of its own). */
import * as vscode from 'vscode';
import type { UiStrings } from '../shared/protocol';

export function uiStrings(): UiStrings {
  const t = vscode.l10n.t;
  return {
    placeholder: t('Ask the tutor a question… (Enter to send, Shift+Enter for a new line)'),
    send: t('Send'),
    stop: t('Stop'),
    newChat: t('New Chat'),
    insert: t('Insert'),
    copy: t('Copy'),
    copied: t('Copied'),
    output: t('Output'),
    writing: t('writing'),
    running: t('running'),
    done: t('done'),
    failed: t('failed'),
    stopped: t('Stopped. What arrived before you stopped is kept.'),
    incomplete: t('The answer is incomplete.'),
    you: t('You'),
    tutor: t('Tutor'),
    empty: t('Ask a question, or select code and choose "Explain Selection".'),
    toolCall: t('Looked at'),
    toolResult: t('Result'),
    setApiKey: t('Set API Key'),
    openSettings: t('Open Settings'),
    retry: t('Retry'),
    image: t('Image'),
    file: t('File'),
    save: t('Save'),
    selection: t('Selected code'),
    thinking: t('Thinking…'),
    dismiss: t('Dismiss'),
    retryWithoutCodeInterpreter: t('Continue without the code interpreter'),
    errorAuth: t('The API key was rejected or is missing.'),
    errorRateLimit: t('The server is rate limiting requests. Wait a moment, then retry.'),
    errorQuota: t('The account has run out of quota. Check your plan and billing.'),
    errorNetwork: t('Could not reach the server. Check the base URL and your connection.'),
    errorServer: t('The server had a problem. Try again in a moment.'),
    errorBadRequest: t('The server did not accept the request.'),
    errorNotFound: t('Not found: check the base URL and the model name in the settings.'),
    errorToolUnsupported: t('This server does not offer the code interpreter tool.'),
    errorProtocol: t('The server broke the streaming protocol.'),
    errorUsage: t('Code Tutor is not set up yet.'),
  };
}
