/**
 * The chat store: one JSON file per chat in a folder, written atomically (a temporary file, then a rename), with the
 * bytes of images and files kept as separate files beside it (`<id>.files/<hash>.<ext>`) instead of base64 inside the
 * JSON. Files that are damaged (truncated, wrong shape, too big) are reported with their name and skipped: never a
 * crash, never deleted. Deleting a chat moves it to `trash/` so it can be undone until the trash is emptied.
 *
 * Node only (no `vscode`): the extension gives it a folder in its storage; tests and benchmarks give it a temp dir.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChatRecord, type ChatSummary, chatFileJson, chatIdPattern, parseChatFile, summarize } from './storedChat';

export interface StoreProblem {
  /** The file's name inside the store folder. */
  readonly file: string;
  readonly reason: string;
}

export interface ChatStoreOptions {
  /** A chat file bigger than this is refused as damaged (images are stored beside it, so real chats stay small). */
  readonly maxFileBytes?: number;
}

const defaultMaxFileBytes = 64 * 1024 * 1024;
const blobNamePattern = /^[a-f0-9]{32}\.[a-z0-9]{1,8}$/;
const extByMime: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'text/csv': 'csv',
  'text/plain': 'txt',
  'application/json': 'json',
  'application/pdf': 'pdf',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export class ChatStore {
  private readonly maxFileBytes: number;
  /** Blob name of each output object already written (outputs are immutable, so identity is enough). */
  private readonly blobNames = new WeakMap<object, string>();
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    readonly dir: string,
    options: ChatStoreOptions = {},
  ) {
    this.maxFileBytes = options.maxFileBytes ?? defaultMaxFileBytes;
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private blobDir(id: string): string {
    return join(this.dir, `${id}.files`);
  }

  private get trashDir(): string {
    return join(this.dir, 'trash');
  }

  /** Every readable chat's summary, newest first, and the files that could not be read. */
  async list(untitled?: string): Promise<{ summaries: ChatSummary[]; problems: StoreProblem[] }> {
    const summaries: ChatSummary[] = [];
    const problems: StoreProblem[] = [];
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return { summaries, problems };
    }
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const r = await this.readFile(name);
      if ('problem' in r) problems.push({ file: name, reason: r.problem });
      else summaries.push(summarize(r.record, untitled));
    }
    summaries.sort((a, b) => b.updatedAt - a.updatedAt);
    return { summaries, problems };
  }

  /** One chat with its images' and files' bytes back in place. */
  async load(id: string): Promise<{ record: ChatRecord } | { problem: StoreProblem }> {
    if (!chatIdPattern.test(id)) return { problem: { file: id, reason: 'not a chat id' } };
    const name = `${id}.json`;
    const r = await this.readFile(name);
    if ('problem' in r) return { problem: { file: name, reason: r.problem } };
    if (r.record.id !== id) return { problem: { file: name, reason: 'the file holds another chat' } };
    const missing: string[] = [];
    const turns = (await this.inlineBlobs(r.record.turns, this.blobDir(id), missing)) as ChatRecord['turns'];
    return { record: { ...r.record, turns } };
  }

  private async readFile(name: string): Promise<{ record: ChatRecord } | { problem: string }> {
    const path = join(this.dir, name);
    try {
      const s = await stat(path);
      if (!s.isFile()) return { problem: 'not a file' };
      if (s.size > this.maxFileBytes) return { problem: `too big (${s.size} bytes, at most ${this.maxFileBytes})` };
      const text = await readFile(path, 'utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        return { problem: `not valid JSON (${e instanceof Error ? e.message : String(e)})` };
      }
      const parsed = parseChatFile(json);
      if ('problem' in parsed) return parsed;
      if (`${parsed.record.id}.json` !== name) return { problem: 'the file name does not match the chat id' };
      return parsed;
    } catch (e) {
      return { problem: `cannot be read (${e instanceof Error ? e.message : String(e)})` };
    }
  }

  /**
   * Write a chat. Writes of one chat never overlap (each waits for the one before); the file is replaced in one
   * rename, so a crash leaves either the old or the new chat, never half of one.
   */
  save(record: ChatRecord): Promise<void> {
    if (!chatIdPattern.test(record.id)) return Promise.reject(new Error(`not a chat id: ${record.id}`));
    const before = this.writes.get(record.id) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(() => this.write(record));
    this.writes.set(record.id, next);
    void next.finally(() => {
      if (this.writes.get(record.id) === next) this.writes.delete(record.id);
    }).catch(() => undefined);
    return next;
  }

  /** Wait for every pending write. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
  }

  private async write(record: ChatRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const turns = await this.extractBlobs(record.turns, this.blobDir(record.id));
    await writeAtomic(this.file(record.id), chatFileJson({ ...record, turns: turns as ChatRecord['turns'] }));
  }

  /**
   * Replace every `base64` string (images, downloaded files — found by name, so outputs other features add are
   * covered too) with `base64File`, the name of a file holding the bytes.
   */
  private async extractBlobs(value: unknown, dir: string): Promise<unknown> {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const v of value) out.push(await this.extractBlobs(v, dir));
      return out;
    }
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'base64' && typeof v === 'string') {
        out.base64File = await this.writeBlob(value, v, dir);
      } else out[k] = await this.extractBlobs(v, dir);
    }
    return out;
  }

  private async writeBlob(owner: object, base64: string, dir: string): Promise<string> {
    const known = this.blobNames.get(owner);
    if (known && existsSync(join(dir, known))) return known;
    const hash = createHash('sha256').update(base64).digest('hex').slice(0, 32);
    const mime = (owner as { mime?: unknown }).mime;
    const name = `${hash}.${(typeof mime === 'string' && extByMime[mime]) || 'bin'}`;
    const path = join(dir, name);
    if (!existsSync(path)) {
      await mkdir(dir, { recursive: true });
      await writeAtomic(path, Buffer.from(base64, 'base64'));
    }
    this.blobNames.set(owner, name);
    return name;
  }

  private async inlineBlobs(value: unknown, dir: string, missing: string[]): Promise<unknown> {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const v of value) out.push(await this.inlineBlobs(v, dir, missing));
      return out;
    }
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'base64File' && typeof v === 'string') {
        let bytes: Buffer | undefined;
        if (blobNamePattern.test(v)) bytes = await readFile(join(dir, v)).catch(() => undefined);
        if (bytes) out.base64 = bytes.toString('base64');
        else {
          missing.push(v);
          out.base64 = '';
        }
      } else out[k] = await this.inlineBlobs(v, dir, missing);
    }
    if ('base64' in out && typeof out.base64 === 'string' && out.base64 !== '') this.blobNames.set(out, String(value.base64File));
    return out;
  }

  /** Move a chat (and its files) to the trash. False if there was no such chat. */
  async trash(id: string): Promise<boolean> {
    if (!chatIdPattern.test(id) || !existsSync(this.file(id))) return false;
    await this.writes.get(id)?.catch(() => undefined);
    await mkdir(this.trashDir, { recursive: true });
    await rename(this.file(id), join(this.trashDir, `${id}.json`));
    if (existsSync(this.blobDir(id))) await rename(this.blobDir(id), join(this.trashDir, `${id}.files`));
    return true;
  }

  /** Undo a delete. False if the chat is not in the trash. */
  async restore(id: string): Promise<boolean> {
    const from = join(this.trashDir, `${id}.json`);
    if (!chatIdPattern.test(id) || !existsSync(from)) return false;
    await rename(from, this.file(id));
    const files = join(this.trashDir, `${id}.files`);
    if (existsSync(files)) await rename(files, this.blobDir(id));
    return true;
  }

  /** Delete what is in the trash for good (when the window closes, or at the next start). */
  async emptyTrash(): Promise<void> {
    await rm(this.trashDir, { recursive: true, force: true });
  }
}
