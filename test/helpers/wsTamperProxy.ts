/**
 * A man in the middle for end-to-end encryption tests: one address on
 * 127.0.0.1 that passes HTTP requests to the server as they are, and relays
 * WebSocket frames both ways, letting the test rewrite what the server sends
 * to the browser (`rewrite`), as a relay that wanted to alter a message would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export type Rewrite = (frame: Record<string, unknown>) => Record<string, unknown>;

export class WsTamperProxy {
  /** Applied to every server → browser frame; the identity by default. */
  rewrite: Rewrite = (frame) => frame;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly server: http.Server;

  private constructor(private readonly target: URL) {
    this.server = http.createServer((req, res) => {
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    this.server.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (browser) => this.relay(browser, req.url ?? '/ws'));
    });
  }

  static async start(targetUrl: string): Promise<WsTamperProxy> {
    const proxy = new WsTamperProxy(new URL(targetUrl));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private relay(browser: WebSocket, path: string): void {
    const server = new WebSocket(`ws://${this.target.host}${path}`);
    const early: string[] = [];
    browser.on('message', (data) => (server.readyState === WebSocket.OPEN ? server.send(data.toString()) : early.push(data.toString())));
    server.on('open', () => early.splice(0).forEach((m) => server.send(m)));
    server.on('message', (data) => {
      if (browser.readyState !== WebSocket.OPEN) return;
      browser.send(JSON.stringify(this.rewrite(JSON.parse(data.toString()) as Record<string, unknown>)));
    });
    server.on('close', () => browser.close());
    browser.on('close', () => server.close());
    server.on('error', () => browser.terminate());
    browser.on('error', () => server.terminate());
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
