/**
 * Generated files: a mapper only knows a file's id; the shell downloads it and turns it into an output the
 * learner can see (an inline image) or save (any other file).
 */
import type { CodeOutput, StreamEvent } from '../shared/events';
import type { FileRefEvent } from './mapperEvents';

/** Largest file whose bytes are kept in the transcript (and so shown or saved). Larger ones keep name and size. */
export const maxInlineFileBytes = 16 * 1024 * 1024;

/** Images the webview may show inline. SVG is deliberately absent: it can carry script. */
export const inlineImageMimes: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

const mimeByExtension: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
  py: 'text/x-python',
  html: 'text/html',
  pdf: 'application/pdf',
  zip: 'application/zip',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export function mimeFromName(name: string | undefined): string | undefined {
  const ext = name?.split('.').pop()?.toLowerCase();
  return ext ? mimeByExtension[ext] : undefined;
}

/** Sniff the common image formats from their first bytes; servers often say application/octet-stream. */
export function sniffImageMime(bytes: Uint8Array): string | undefined {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'image/gif';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45) return 'image/webp';
  return undefined;
}

export interface DownloadedFile {
  readonly bytes: Uint8Array;
  /** The server's content type, if it said one. */
  readonly contentType?: string;
}

export type FileDownloader = (ref: FileRefEvent, signal?: AbortSignal) => Promise<DownloadedFile>;

/** Decide how a downloaded file is shown. */
export function outputFromFile(ref: FileRefEvent, file: DownloadedFile): CodeOutput {
  const name = ref.filename ?? ref.fileId;
  const sniffed = sniffImageMime(file.bytes);
  const declared = file.contentType?.split(';')[0].trim().toLowerCase();
  const mime = sniffed ?? mimeFromName(ref.filename) ?? (declared && declared !== 'application/octet-stream' ? declared : 'application/octet-stream');
  const keep = file.bytes.byteLength <= maxInlineFileBytes;
  const base64 = keep ? Buffer.from(file.bytes).toString('base64') : undefined;
  if (sniffed && inlineImageMimes.has(sniffed) && base64 !== undefined) {
    return { type: 'image', mime: sniffed, base64, fileId: ref.fileId };
  }
  return { type: 'file', name, mime, bytes: file.bytes.byteLength, ...(base64 !== undefined ? { base64 } : {}), fileId: ref.fileId };
}

/**
 * Resolves file references into `code.output` events on the right code block, once per file id.
 * A download that fails still shows the file (name, no bytes) and a log line saying why, instead of losing it.
 */
export class FileResolver {
  private readonly seen = new Set<string>();
  private lastCodeId: string | undefined;

  constructor(private readonly download: FileDownloader) {}

  /** Feed every event that passes by, so the resolver knows the newest code block. */
  observe(e: StreamEvent): void {
    if (e.kind === 'code.started') this.lastCodeId = e.id;
  }

  async resolve(ref: FileRefEvent, signal?: AbortSignal): Promise<StreamEvent[]> {
    if (this.seen.has(ref.fileId)) return [];
    this.seen.add(ref.fileId);
    const events: StreamEvent[] = [];
    let id = ref.attachTo ?? this.lastCodeId;
    if (!id) {
      // A file with no code block to hang it on (say, cited in plain text): give it a block of its own.
      id = `file:${ref.fileId}`;
      events.push({ kind: 'code.started', id, language: 'text' }, { kind: 'code.status', id, status: 'done' });
      this.lastCodeId = id;
    }
    try {
      const file = await this.download(ref, signal);
      events.push({ kind: 'code.output', id, output: outputFromFile(ref, file) });
    } catch (e) {
      if (signal?.aborted) throw e;
      const name = ref.filename ?? ref.fileId;
      events.push({ kind: 'code.output', id, output: { type: 'file', name, mime: mimeFromName(ref.filename) ?? 'application/octet-stream', bytes: 0, fileId: ref.fileId } });
      events.push({ kind: 'code.output', id, output: { type: 'logs', text: `Could not download ${name}: ${e instanceof Error ? e.message : String(e)}` } });
    }
    return events;
  }
}

/** Read a fetch Response body with a size cap, so a huge file cannot exhaust memory. */
export async function readCapped(res: Response, cap = maxInlineFileBytes * 4): Promise<DownloadedFile> {
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.byteLength > cap) throw new Error(`file is larger than ${cap} bytes`);
  return { bytes: buf, contentType: res.headers.get('content-type') ?? undefined };
}
