/**
 * Read-only workspace tools the tutor may call during a run: the learner's current selection, a workspace file
 * (inside the workspace only, size-capped) and a file's diagnostics. Nothing here writes anything.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionTool } from '../engine/tools/functionTool';

export const maxToolFileBytes = 64 * 1024;

interface EditorSource {
  target(): vscode.TextEditor | undefined;
}

/** Resolve a workspace-relative path, refusing anything that leaves the workspace folders. */
export function resolveInWorkspace(relative: string, folders: readonly string[]): string | undefined {
  if (!relative || path.isAbsolute(relative) || /^[a-zA-Z]:/.test(relative) || relative.includes('\0')) return undefined;
  for (const folder of folders) {
    const full = path.resolve(folder, relative);
    const rel = path.relative(folder, full);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return full;
  }
  return undefined;
}

function stringArg(args: Record<string, unknown>, name: string): string {
  const v = args[name];
  if (typeof v !== 'string' || v.trim() === '') throw new Error(`"${name}" must be a non-empty string`);
  return v.trim();
}

export function workspaceTools(editors: EditorSource): FunctionTool[] {
  const folders = () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  return [
    {
      name: 'get_selection',
      description: "The code the learner has selected in their editor, with its file, language and line numbers (or the cursor's line if nothing is selected).",
      parameters: { type: 'object', properties: {}, additionalProperties: false },
      async run() {
        const e = editors.target();
        if (!e) return 'No editor is open.';
        const sel = e.selection;
        const range = sel.isEmpty ? e.document.lineAt(sel.active.line).range : sel;
        const text = e.document.getText(range);
        return JSON.stringify({
          file: vscode.workspace.asRelativePath(e.document.uri, false),
          language: e.document.languageId,
          startLine: range.start.line + 1,
          endLine: range.end.line + 1,
          selected: !sel.isEmpty,
          text: text.length > maxToolFileBytes ? text.slice(0, maxToolFileBytes) : text,
        });
      },
    },
    {
      name: 'read_workspace_file',
      description: 'Read a text file of the learner\'s workspace by its workspace-relative path (at most 64 KiB).',
      parameters: { type: 'object', properties: { path: { type: 'string', description: 'Path relative to the workspace folder' } }, required: ['path'], additionalProperties: false },
      async run(args) {
        const rel = stringArg(args, 'path');
        const full = resolveInWorkspace(rel, folders());
        if (!full) throw new Error(`"${rel}" is not a path inside the workspace`);
        const uri = vscode.Uri.file(full);
        const stat = await vscode.workspace.fs.stat(uri).then(
          (s) => s,
          () => undefined,
        );
        if (!stat || stat.type & vscode.FileType.Directory) throw new Error(`"${rel}" is not a file in the workspace`);
        const bytes = await vscode.workspace.fs.readFile(uri);
        const head = bytes.subarray(0, maxToolFileBytes);
        if (head.includes(0)) throw new Error(`"${rel}" is a binary file`);
        const text = new TextDecoder().decode(head);
        return bytes.byteLength > maxToolFileBytes ? `${text}\n[truncated: the file has ${bytes.byteLength} bytes, only the first ${maxToolFileBytes} are shown]` : text;
      },
    },
    {
      name: 'get_diagnostics',
      description: 'The errors and warnings VS Code reports for a workspace file (default: the file open in the editor).',
      parameters: { type: 'object', properties: { path: { type: 'string', description: 'Path relative to the workspace folder' } }, additionalProperties: false },
      async run(args) {
        let uri: vscode.Uri | undefined;
        if (typeof args.path === 'string' && args.path.trim()) {
          const full = resolveInWorkspace(args.path.trim(), folders());
          if (!full) throw new Error(`"${args.path}" is not a path inside the workspace`);
          uri = vscode.Uri.file(full);
        } else {
          uri = editors.target()?.document.uri;
          if (!uri) return 'No editor is open.';
        }
        const list = vscode.languages.getDiagnostics(uri).map((d) => ({
          severity: vscode.DiagnosticSeverity[d.severity],
          line: d.range.start.line + 1,
          message: d.message,
          source: d.source,
        }));
        return JSON.stringify({ file: vscode.workspace.asRelativePath(uri, false), diagnostics: list });
      },
    },
  ];
}
