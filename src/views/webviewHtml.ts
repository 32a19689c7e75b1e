/**
 * The chat webview's page: a strict CSP with a fresh nonce per render, the bundled script and stylesheet from
 * dist/, and nothing inline. The webview may load files only from dist/ and media/.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** The only folders the webview may load from. */
export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export interface WebviewHtmlOptions {
  /** The page title (already localized). */
  readonly title: string;
  /** The UI language (`vscode.env.language`), for `<html lang>` and number formats. */
  readonly lang: string;
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** 128 bits from the OS generator, base64: a fresh nonce for every render. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export function renderWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, opts: WebviewHtmlOptions): string {
  const nonce = createNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.css'));
  const src = webview.cspSource;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The nonce lets the UI toolkit's one feature probe (a <style> testing :focus-visible, tagged with the nonce it
    // reads from the csp-nonce meta below) pass, so a CSP report always means content got somewhere it should not.
    `style-src ${src} 'nonce-${nonce}'`,
    `img-src ${src} data: blob:`,
    `font-src ${src}`,
  ].join('; ');
  const lang = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(opts.lang) ? opts.lang : 'en';
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="csp-nonce" content="${nonce}">
<link rel="stylesheet" href="${escapeAttr(style.toString())}">
<title>${escapeAttr(opts.title)}</title>
</head>
<body>
<div id="code-tutor-root"></div>
<script nonce="${nonce}" src="${escapeAttr(script.toString())}"></script>
</body>
</html>`;
}
