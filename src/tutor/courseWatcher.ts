/**
 * The course rules in force, on the VS Code side: the `.codetutor.json` nearest to the file the learner is working
 * on (walking up to its workspace folder's root) wins, so each assignment folder can have its own. Re-read when the
 * learner changes editor or a course file changes. A file that cannot be used is reported once (file and reason)
 * and the defaults apply; it never throws.
 */
import * as vscode from 'vscode';
import { type CourseProblem, type CourseRules, courseFileName, defaultRules, maxCourseFileBytes, parseCourseRules } from './courseRules';

export interface CourseState {
  readonly rules: CourseRules;
  /** The course file in force (or the one that could not be used). */
  readonly file?: vscode.Uri;
  readonly problem?: CourseProblem;
}

/** A course problem in the learner's language. */
export function courseProblemText(p: CourseProblem): string {
  const t = vscode.l10n.t;
  switch (p.kind) {
    case 'tooLarge':
      return t('the file is too large ({0} bytes)', p.bytes);
    case 'badJson':
      return t('it is not valid JSON ({0})', p.detail);
    case 'notObject':
      return t('it must be a JSON object ({ … })');
    case 'unknownField':
      return t('unknown field "{0}"', p.field);
    case 'badField':
      return t('"{0}" must be {1}', p.field, p.expected);
    default: {
      const never: never = p;
      return never;
    }
  }
}

async function stat(uri: vscode.Uri): Promise<vscode.FileStat | undefined> {
  try {
    return await vscode.workspace.fs.stat(uri);
  } catch {
    return undefined;
  }
}

export class CourseWatcher implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<CourseState>();
  /** The course in force changed (another file, or the file's content). */
  readonly onDidChange = this._onDidChange.event;
  private readonly disposables: vscode.Disposable[] = [];
  private state: CourseState = { rules: defaultRules };
  private key = '';
  private warned = '';

  constructor(
    private readonly activeFile: () => vscode.Uri | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${courseFileName}`);
    const again = () => void this.refresh();
    // A file being written fires more than once, and may be read half-written: read it once it settles.
    let settle: ReturnType<typeof setTimeout> | undefined;
    const changed = () => {
      clearTimeout(settle);
      settle = setTimeout(again, 300);
    };
    this.disposables.push(
      this._onDidChange,
      watcher,
      watcher.onDidChange(changed),
      watcher.onDidCreate(changed),
      watcher.onDidDelete(changed),
      { dispose: () => clearTimeout(settle) },
      vscode.window.onDidChangeActiveTextEditor(again),
      vscode.workspace.onDidChangeWorkspaceFolders(again),
    );
    again();
  }

  /** The course as last read. */
  get current(): CourseState {
    return this.state;
  }

  /** Read the course in force now (a few stats); fires onDidChange when it differs from before. */
  async refresh(): Promise<CourseState> {
    let next: CourseState;
    try {
      next = await this.read();
    } catch (e) {
      this.log.warn(`course rules: ${e instanceof Error ? e.message : String(e)}`);
      next = { rules: defaultRules };
    }
    const key = JSON.stringify([next.file?.toString(), next.rules, next.problem]);
    this.state = next;
    // Tell about a broken file once; once it is fixed, breaking it again is told again.
    if (next.problem && next.file) this.warn(next.file, next.problem, key);
    else this.warned = '';
    if (key !== this.key) {
      this.key = key;
      this._onDidChange.fire(next);
    }
    return next;
  }

  /** The nearest course file from the active file's folder up to its workspace folder (else the first folder's root). */
  private async find(): Promise<vscode.Uri | undefined> {
    const active = this.activeFile();
    const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const root = folder.uri;
    let dir = active && vscode.workspace.getWorkspaceFolder(active) ? vscode.Uri.joinPath(active, '..') : root;
    for (let depth = 0; depth < 64; depth++) {
      const candidate = vscode.Uri.joinPath(dir, courseFileName);
      if ((await stat(candidate))?.type === vscode.FileType.File) return candidate;
      if (dir.path === root.path || dir.path.length <= root.path.length) return undefined;
      dir = vscode.Uri.joinPath(dir, '..');
    }
    return undefined;
  }

  private async read(): Promise<CourseState> {
    const file = await this.find();
    if (!file) return { rules: defaultRules };
    const size = (await stat(file))?.size ?? 0;
    if (size > maxCourseFileBytes) return { rules: defaultRules, file, problem: { kind: 'tooLarge', bytes: size } };
    const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(file));
    const parsed = parseCourseRules(text);
    return parsed.ok ? { rules: parsed.rules, file } : { rules: parsed.rules, file, problem: parsed.problem };
  }

  /** Say once per broken file content what is wrong, with the file and the reason. */
  private warn(file: vscode.Uri, problem: CourseProblem, key: string): void {
    if (this.warned === key) return;
    this.warned = key;
    const where = vscode.workspace.asRelativePath(file);
    this.log.warn(`course rules in ${where} not used: ${problem.kind}`);
    const open = vscode.l10n.t('Open File');
    void vscode.window
      .showWarningMessage(vscode.l10n.t('Code Tutor: the course rules in {0} are not used: {1}. The tutor uses the default rules.', where, courseProblemText(problem)), open)
      .then((choice) => {
        if (choice === open) void vscode.window.showTextDocument(file);
      });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
