/** What a terminal command printed, as plain text: escape sequences gone, line endings normalised, the tail kept. No `vscode`. */
import stripAnsi from 'strip-ansi';

export const maxTerminalOutput = 8_000;

// Shell integration's own marks (OSC 633 / 133) and any other OSC strip-ansi leaves behind.
const osc = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function cleanTerminalOutput(raw: string, max = maxTerminalOutput): string {
  const text = stripAnsi(raw.replace(osc, ''))
    .replace(/\r\n/g, '\n')
    .replace(/[^\n]*\r(?!\n)/g, '') // a carriage return redraws the line: keep what was drawn last
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  return text.length > max ? `…${text.slice(text.length - max)}` : text;
}
