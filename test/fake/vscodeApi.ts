/**
 * The few parts of the `vscode` module that the chat manager and sessions use (events, l10n, a memento, a log),
 * so their unit tests run in plain Node. `installVscodeApi()` makes `require('vscode')` resolve to this file.
 * Everything below the VS Code API — the store, the files, the providers, the fake server over HTTP — is real.
 */
import Module from 'node:module';

export class EventEmitter<T> {
  private listeners = new Set<(e: T) => void>();
  readonly event = (listener: (e: T) => void) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...ds: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export const l10n = {
  t: (message: string, ...args: unknown[]) => message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m)),
};

/** What `workspace.getConfiguration(section)` reads, by full key (`codeTutor.model`): tests set and clear it. */
export const configuration = new Map<string, unknown>();

export const workspace = {
  getConfiguration: (section?: string) => {
    const full = (key: string) => (section ? `${section}.${key}` : key);
    return {
      get: <T>(key: string, fallback?: T): T | undefined => (configuration.has(full(key)) ? (configuration.get(full(key)) as T) : fallback),
      inspect: <T>(key: string) => ({ key: full(key), globalValue: configuration.get(full(key)) as T | undefined }),
    };
  },
};

/** A workspaceState-like memento in memory. */
export class MemoryMemento {
  private readonly values = new Map<string, unknown>();
  constructor(initial: Record<string, unknown> = {}) {
    for (const [k, v] of Object.entries(initial)) this.values.set(k, v);
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (structuredClone(this.values.get(key)) as T) : fallback;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, structuredClone(value));
  }
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
}

/** A LogOutputChannel that keeps its lines. */
export function memoryLog() {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug'), trace: at('trace') };
}

let installed = false;
export function installVscodeApi(): void {
  if (installed) return;
  installed = true;
  const m = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = m._resolveFilename;
  m._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? __filename : original.call(this, request, ...rest);
  };
}
