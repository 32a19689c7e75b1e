/**
 * Text that a model or a server wrote, made safe to show and to use as a file name: Unicode bidi controls, ANSI
 * escapes and other control characters are shown as visible marks (`⟨U+202E⟩`, `⟨ESC⟩`) instead of acting on the
 * display ("Trojan Source", reversed file names). Pure: used by the webview and by the host alike.
 */

/** Bidi embedding, override, isolate and mark characters (Trojan Source, CVE-2021-42574). */
const bidiControl = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/** C0 controls except tab, line feed and carriage return; DEL; C1 controls. */
const otherControl = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const anyHidden = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** Invisible characters that are not controls but hide or join text: zero-width space/joiners, BOM, soft hyphen. */
const invisibleFormat = /[\u00AD\u200B-\u200D\u2060\uFEFF]/;

const names: Readonly<Record<number, string>> = { 0x00: 'NUL', 0x1b: 'ESC', 0x07: 'BEL', 0x08: 'BS', 0x7f: 'DEL', 0x9b: 'CSI' };

/** The visible mark for one hidden character, e.g. `⟨U+202E⟩` or `⟨ESC⟩`. */
export function controlMark(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return `⟨${names[cp] ?? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`}⟩`;
}

/** `s` with every bidi control and control character (tab, LF and CR kept) replaced by a visible mark. */
export function visibleControls(s: string): string {
  return s.replace(anyHidden, controlMark);
}

/** Like `visibleControls`, for one-line labels (names, hosts): zero-width and line-breaking characters shown too. */
export function visibleLabel(s: string): string {
  return s.replace(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u0000-\u001F\u007F-\u009F\u00AD\u200B-\u200D\u2060\uFEFF\u2028\u2029]/g, controlMark);
}

/** True if `s` holds a bidi control. */
export function hasBidiControl(s: string): boolean {
  return bidiControl.test(s);
}

/** True if `s` holds a control character other than tab, LF and CR (ANSI escapes start with ESC or CSI). */
export function hasControlChar(s: string): boolean {
  return otherControl.test(s);
}

/** What an editor would not show faithfully: bidi controls, terminal escapes and other control characters. */
export function hiddenCharacters(s: string): { readonly bidi: boolean; readonly control: boolean; readonly invisible: boolean } {
  return { bidi: hasBidiControl(s), control: hasControlChar(s), invisible: invisibleFormat.test(s) };
}

const reservedName = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A file name safe to offer in a Save dialog: the last path segment only, hidden characters and characters that
 * are not allowed in file names replaced by `_`, never empty, never hidden (leading dot), never a device name.
 * `invoice_2024\u202Efdp.exe` becomes `invoice_2024_fdp.exe`: the real extension stays where the learner sees it.
 */
export function safeFileName(name: string, fallback = 'file'): string {
  let n = String(name).replace(/^.*[\\/]/, '');
  n = n.replace(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u0000-\u001F\u007F-\u009F\u00AD\u200B-\u200D\u2060\uFEFF\u2028\u2029<>:"|?*]/g, '_');
  n = n.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (reservedName.test(n)) n = `_${n}`;
  if (n.length > 200) {
    const dot = n.lastIndexOf('.');
    const ext = dot > 0 && n.length - dot <= 16 ? n.slice(dot) : '';
    n = n.slice(0, 200 - ext.length) + ext;
  }
  return n === '' || /^_+$/.test(n) ? fallback : n;
}
