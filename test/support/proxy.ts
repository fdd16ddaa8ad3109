/**
 * A small forward proxy for tests: CONNECT tunnels (and nothing else), an optional Basic login, a
 * host table standing in for DNS (so that a non-loopback name such as `registry.test` reaches a
 * registry on 127.0.0.1), and a log of the tunnels it opened.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface TestProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `host:port` of every CONNECT it accepted, in order. */
  tunnels: string[];
  /** CONNECTs it refused (wrong or missing login). */
  refused: number;
  stop(): Promise<void>;
}

/**
 * `reflect`: refuse every CONNECT with a reason phrase that repeats the request's
 * Proxy-Authorization header and its decoded login, as a careless proxy might.
 */
export async function startProxy(options: { hosts?: Record<string, string>; login?: { user: string; password: string }; reflect?: boolean } = {}): Promise<TestProxy> {
  const tunnels: string[] = [];
  const open = new Set<Socket>();
  const state = { refused: 0 };
  const server = createServer((_req, res) => {
    res.writeHead(405).end();
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    if (options.reflect) {
      state.refused++;
      const sent = req.headers['proxy-authorization'] ?? '';
      const decoded = Buffer.from(sent.replace(/^Basic /, ''), 'base64').toString('latin1');
      client.end(`HTTP/1.1 403 Forbidden for ${sent} (${decoded})\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    if (options.login) {
      const want = `Basic ${Buffer.from(`${options.login.user}:${options.login.password}`).toString('base64')}`;
      if (req.headers['proxy-authorization'] !== want) {
        state.refused++;
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
        return;
      }
    }
    const target = req.url ?? '';
    const at = target.lastIndexOf(':');
    const host = target.slice(0, at);
    const port = Number(target.slice(at + 1));
    const upstream = connect(port, options.hosts?.[host] ?? host);
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('connect', () => {
      tunnels.push(target);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    get refused() {
      return state.refused;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
