/**
 * Fault injection in front of the fake server (tests only): a plain node:http proxy on 127.0.0.1 whose first path
 * segment names the fault, so each test points a provider at `proxy.url('status:503:times=2')` and gets real HTTP
 * failures, real dropped sockets and real silence. Requests that start a run (POST …/responses, POST …/runs,
 * POST …/chat/completions) get the fault; everything else (GET a stored response, poll a run) passes through to the
 * fake server. `seen` counts the SSE messages each answer carried through the proxy.
 *
 * Faults (`:`-separated; `after=N` lets the first N run requests of that fault pass, e.g. a chat's first round, and
 * `times=N` then makes the fault apply to the next N run requests only, then pass through):
 * - `pass`
 * - `status:CODE[:html|:text|:empty|:region][:ra=SECONDS][:ram=MS]` an HTTP error (JSON in OpenAI's shape by default)
 * - `hang` accept and never answer; `stall:K` answer, send K SSE messages, then nothing
 * - `drop:K[:mid]` send K SSE messages (and half of the next one's bytes with `mid`), then destroy the socket
 * - `html200` a captive portal's 200 page; `empty200` a 200 with no body; `json200` the finished answer as JSON
 * - `longline:BYTES` a 200 stream whose first line is BYTES long with no line break
 * - `…:resume=CODE` (with any fault) also answers every resumed stream (`GET …/responses/{id}?stream=true…`) with
 *   HTTP CODE, as a server that cannot resume would; `…:resume=dropK` drops every resumed stream after K messages
 */
import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FaultProxy {
  readonly origin: string;
  /** A base URL (OPENAI_BASE_URL form) whose run requests get `fault`. */
  url(fault: string): string;
  /** Every request seen: fault, method, path, and for a run request the SSE messages its answer carried to the client. */
  readonly seen: Array<{ fault: string; method: string; path: string; at: number; messages?: number }>;
  close(): Promise<void>;
}

const statusText: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function startFaultProxy(target: string): Promise<FaultProxy> {
  const t = new URL(target);
  const used = new Map<string, number>();
  const seen: FaultProxy['seen'] = [];
  const sockets = new Set<Socket>();
  /** Answers that stay open after the fake server finished (stall, drop). */
  const holding = new WeakSet<ServerResponse>();

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: Buffer,
    onData?: (chunk: Buffer, res: ServerResponse) => boolean,
    onEnd?: (res: ServerResponse) => void,
  ): void => {
    const up = request({ host: t.hostname, port: t.port, method: req.method, path, headers: { ...req.headers, host: t.host, 'content-length': String(body.length) } }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.on('data', (c: Buffer) => {
        if (res.destroyed) return;
        if (onData ? onData(c, res) : true) res.write(c);
      });
      upRes.on('end', () => {
        onEnd?.(res);
        if (!res.destroyed && !res.writableEnded && !holding.has(res)) res.end();
      });
    });
    up.on('error', () => res.destroy());
    up.end(body);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const [, fault = 'pass', ...rest] = (req.url ?? '/').split('/');
      const path = `/${rest.join('/')}`;
      const method = req.method ?? 'GET';
      const entry: FaultProxy['seen'][number] = { fault, method, path, at: Date.now() };
      seen.push(entry);
      const body = await readBody(req);
      const parts = fault.split(':');
      const times = Number(parts.find((p) => p.startsWith('times='))?.slice(6) ?? Infinity);
      const after = Number(parts.find((p) => p.startsWith('after='))?.slice(6) ?? 0);
      const isRun = method === 'POST' && /\/(responses|runs|chat\/completions)$/.test(path.split('?')[0]);
      const resume = parts.find((p) => p.startsWith('resume='))?.slice(7);
      const resumed = resume !== undefined && method === 'GET' && /\/responses\/[^/?]+\?(.*&)?stream=true/.test(path);
      const resumeDrop = resume?.startsWith('drop') ? Number(resume.slice(4)) : undefined;
      if (resumed && resumeDrop === undefined) {
        const code = Number(resume);
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `fault proxy: ${code} ${statusText[code] ?? ''}`.trim(), type: 'invalid_request_error', param: null, code: null } }));
        return;
      }
      if (!isRun && !resumed) return forward(req, res, path, body);
      const count = resumed ? 0 : (used.get(fault) ?? 0);
      if (!resumed) used.set(fault, count + 1);
      if (!resumed && (count < after || count - after >= times || parts[0] === 'pass')) {
        // Passed through whole: count its messages as they reach the client.
        entry.messages = 0;
        let tail = '';
        return forward(req, res, path, body, (c) => {
          const text = tail + c.toString('latin1');
          entry.messages! += text.split('\n\n').length - 1;
          const newlines = text.length - text.replace(/\n+$/, '').length;
          tail = newlines % 2 === 1 ? '\n' : ''; // half of a blank line that the next chunk completes
          return true;
        });
      }
      const kind = resumed ? 'drop' : parts[0];
      const flag = (name: string) => !resumed && parts.includes(name);
      const param = (name: string) => parts.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1);

      switch (kind) {
        case 'status': {
          const code = Number(parts[1]);
          const headers: Record<string, string> = {};
          if (param('ra') !== undefined) headers['retry-after'] = param('ra')!;
          if (param('ram') !== undefined) headers['retry-after-ms'] = param('ram')!;
          let text: string;
          if (flag('html')) {
            headers['content-type'] = 'text/html';
            text = `<!DOCTYPE html><html><head><title>${code} ${statusText[code] ?? ''}</title></head><body><center><h1>${code} ${statusText[code] ?? ''}</h1></center><hr><center>nginx/1.25.3</center>${'<!-- padding -->'.repeat(40)}</body></html>`;
          } else if (flag('text')) {
            headers['content-type'] = 'text/plain';
            text = `upstream connect error or disconnect/reset before headers. reset reason: connection termination`;
          } else if (flag('empty')) {
            text = '';
          } else if (flag('region')) {
            headers['content-type'] = 'application/json';
            text = JSON.stringify({ error: { message: 'Country, region, or territory not supported', type: 'request_forbidden', param: null, code: 'unsupported_country_region_territory' } });
          } else {
            headers['content-type'] = 'application/json';
            text = JSON.stringify({ error: { message: `fault proxy: ${code} ${statusText[code] ?? ''}`.trim(), type: code >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } });
          }
          res.writeHead(code, headers);
          res.end(text);
          return;
        }
        case 'hang':
          return; // the request is read, the answer never comes
        case 'html200':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end('<!doctype html><html><head><title>Hotel Wi-Fi — Sign in</title></head><body><form>Accept the terms</form></body></html>');
          return;
        case 'empty200':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end();
          return;
        case 'json200': {
          // The same answer, asked for without streaming, handed back as JSON to a streaming request.
          const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          const plain = Buffer.from(JSON.stringify({ ...json, stream: false }));
          return forward(req, res, path, plain);
        }
        case 'longline': {
          const total = Number(parts[1]);
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const chunk = Buffer.alloc(64 * 1024, 'a');
          let sent = 0;
          res.write('data: ');
          const pump = (): void => {
            while (sent < total && !res.destroyed) {
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            if (!res.destroyed) res.end();
          };
          res.on('close', () => (sent = total));
          pump();
          return;
        }
        case 'stall':
        case 'drop': {
          const k = resumed ? Number(resumeDrop) : Number(parts[1]);
          const mid = flag('mid');
          let buffered = '';
          let messages = 0;
          let stopped = false;
          holding.add(res);
          return forward(req, res, path, body, (c, out) => {
            if (stopped) return false;
            buffered += c.toString('latin1');
            let at: number;
            let send = '';
            while ((at = buffered.indexOf('\n\n')) >= 0) {
              if (messages >= k) break;
              send += buffered.slice(0, at + 2);
              buffered = buffered.slice(at + 2);
              messages++;
            }
            if (send) out.write(Buffer.from(send, 'latin1'));
            if (messages >= k && (buffered.length > 0 || at >= 0)) {
              stopped = true;
              if (kind === 'drop') {
                const next = buffered.indexOf('\n\n') >= 0 ? buffered.slice(0, buffered.indexOf('\n\n') + 2) : buffered;
                if (mid && next.length > 1) out.write(Buffer.from(next.slice(0, Math.floor(next.length / 2)), 'latin1'));
                setTimeout(() => out.socket?.destroy(), 5);
              }
            }
            return false;
          }, (out) => {
            // The stream had fewer than K messages: a drop that never happened is a clean end.
            if (!stopped && kind === 'drop') {
              if (buffered) out.write(Buffer.from(buffered, 'latin1'));
              holding.delete(out);
            }
          });
        }
        default:
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: `fault proxy: unknown fault ${fault}` } }));
      }
    })();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({
        origin,
        url: (fault) => `${origin}/${fault}/v1`,
        seen,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
