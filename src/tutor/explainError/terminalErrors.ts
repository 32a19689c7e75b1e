/**
 * "Explain Last Terminal Error": shell integration tells us where each command starts and ends and with which exit
 * code; we read every command's output from its start (read() only sees data written after it is called) and keep
 * the last one that failed.
 */
import * as vscode from 'vscode';
import { cleanTerminalOutput } from './terminalOutput';

export interface FailedCommand {
  readonly command: string;
  readonly exitCode: number;
  readonly output: string;
  readonly cwd?: string;
}

const maxRaw = 256 * 1024;

async function collect(stream: AsyncIterable<string>): Promise<string> {
  let raw = '';
  for await (const chunk of stream) {
    raw += chunk;
    if (raw.length > maxRaw * 2) raw = raw.slice(raw.length - maxRaw);
  }
  return raw;
}

export class TerminalErrors implements vscode.Disposable {
  private readonly reading = new Map<vscode.TerminalShellExecution, Promise<string>>();
  private readonly disposables: vscode.Disposable[] = [];
  private lastFailed: FailedCommand | undefined;
  private integrationSeen = false;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.window.onDidChangeTerminalShellIntegration(() => {
        this.integrationSeen = true;
      }),
      vscode.window.onDidStartTerminalShellExecution((e) => {
        this.integrationSeen = true;
        this.reading.set(e.execution, collect(e.execution.read()).catch(() => ''));
      }),
      vscode.window.onDidEndTerminalShellExecution((e) => void this.ended(e)),
    );
  }

  /** Shell integration is (or was) active in some terminal of this window. */
  get available(): boolean {
    return this.integrationSeen || vscode.window.terminals.some((t) => t.shellIntegration !== undefined);
  }

  get last(): FailedCommand | undefined {
    return this.lastFailed;
  }

  private async ended(e: vscode.TerminalShellExecutionEndEvent): Promise<void> {
    const reading = this.reading.get(e.execution);
    this.reading.delete(e.execution);
    const raw = reading ? await reading : '';
    const command = e.execution.commandLine.value.trim();
    this.log.info(`terminal command ended with ${e.exitCode ?? 'no exit code'} (${raw.length} chars of output)`);
    if (e.exitCode === undefined || e.exitCode === 0 || !command) return;
    this.lastFailed = {
      command,
      exitCode: e.exitCode,
      output: cleanTerminalOutput(raw),
      ...(e.execution.cwd ? { cwd: e.execution.cwd.fsPath } : {}),
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.reading.clear();
  }
}
