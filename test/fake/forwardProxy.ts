/**
 * A small forward proxy on 127.0.0.1 (tests only), the kind `http.proxy` or HTTPS_PROXY points at: plain requests in
 * absolute form (`GET http://host/path`) are forwarded, and `CONNECT host:port` opens a tunnel (undici's proxy agent
 * tunnels even to http:// targets). `hosts` maps names that do not resolve (`api.codetutor.invalid`) to the fake
 * server, so a request that bypasses the proxy fails to resolve and only a proxied one can reach the server.
 * Bodies stream through untouched (SSE stays SSE). Every request is recorded in `seen`.
 */
import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';

export interface ProxiedRequest {
  /** `forward` for an absolute-form request, `connect` for a tunnel (its requests are not visible to the proxy). */
  readonly via: 'forward' | 'connect';
  readonly method: string;
  /** host:port as the client asked for it. */
  readonly target: string;
  /** The path of a forwarded request; '' for a tunnel. */
  readonly path: string;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`, for `http.proxy` / HTTPS_PROXY. */
  readonly url: string;
  readonly seen: ProxiedRequest[];
  close(): Promise<void>;
}

/** `hosts`: a name the client uses → the `host:port` it really reaches (names not listed are refused with 502). */
export function startForwardProxy(hosts: Readonly<Record<string, string>>): Promise<ForwardProxy> {
  const seen: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const resolve = (hostPort: string): { host: string; port: number } | undefined => {
    const [name, port] = hostPort.split(':');
    const to = hosts[name] ?? hosts[hostPort];
    if (to === undefined) return undefined;
    const [host, toPort] = to.split(':');
    return { host, port: Number(toPort ?? port ?? 80) };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('a forward proxy expects absolute-form requests');
      return;
    }
    seen.push({ via: 'forward', method: req.method ?? 'GET', target: url.host, path: `${url.pathname}${url.search}` });
    const to = resolve(url.host);
    if (!to) {
      res.writeHead(502).end(`the proxy does not know ${url.host}`);
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const up = request({ host: to.host, port: to.port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    seen.push({ via: 'connect', method: 'CONNECT', target, path: '' });
    const to = resolve(target);
    if (!to) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const up = connect(to.port, to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    const end = () => {
      up.destroy();
      client.destroy();
    };
    up.on('error', end);
    client.on('error', end);
    client.on('close', end);
  });

  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return new Promise((done) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      done({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () =>
          new Promise<void>((closed) => {
            for (const s of sockets) s.destroy();
            server.close(() => closed());
          }),
      });
    });
  });
}
