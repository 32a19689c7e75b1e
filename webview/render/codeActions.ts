/**
 * The actions every code block offers (interpreter code and fences in the explanation): Copy, Insert at the cursor,
 * Replace the selection, Open in a new editor. A labelled toolbar of buttons; what a button does is the caller's
 * (the chat asks the host by reference, never sending the code itself).
 */
import type { CodeAction, UiStrings } from '../../src/shared/protocol';
import { createButton, setButtonDisabled, setButtonLabel } from '../ui/toolkit';

const order: ReadonlyArray<{ readonly action: CodeAction; readonly key: 'copy' | 'insert' | 'replace' | 'openInEditor'; readonly className: string }> = [
  { action: 'copy', key: 'copy', className: 'code-copy' },
  { action: 'insert', key: 'insert', className: 'code-insert' },
  { action: 'replace', key: 'replace', className: 'code-replace' },
  { action: 'newEditor', key: 'openInEditor', className: 'code-open' },
];

export interface CodeActionsBar {
  readonly el: HTMLElement;
  setDisabled(disabled: boolean): void;
}

/** How long "Copied" shows on the Copy button. */
const copiedMs = 1500;

export function createCodeActions(doc: Document, strings: () => UiStrings, run: (action: CodeAction) => void): CodeActionsBar {
  const s = strings();
  const el = doc.createElement('span');
  el.className = 'code-actions';
  el.setAttribute('role', 'toolbar');
  el.setAttribute('aria-label', s.codeActionsLabel);
  const buttons: HTMLElement[] = [];
  let copiedUntil = 0;
  for (const o of order) {
    const b = createButton(doc, { inline: true,
      label: s[o.key],
      className: o.className,
      onClick: () => {
        run(o.action);
        if (o.action !== 'copy') return;
        setButtonLabel(b, strings().copied);
        copiedUntil = Date.now() + copiedMs;
        setTimeout(() => {
          if (Date.now() >= copiedUntil) setButtonLabel(b, strings().copy);
        }, copiedMs + 100);
      },
    });
    buttons.push(b);
    el.append(b);
  }
  return {
    el,
    setDisabled(disabled) {
      for (const b of buttons) setButtonDisabled(b, disabled);
    },
  };
}
