/**
 * A load balancer in front of several nodes, for the cluster end-to-end tests:
 * one address on 127.0.0.1 that the browser keeps, each new TCP connection
 * piped to the first node in rotation that accepts it. Taking a node out of
 * rotation (as a balancer does when its /readyz says draining) leaves the
 * connections already open to it alone. `freeze` and `dropAll` play a network
 * that stops carrying what the browser sends, then breaks.
 */
import net from 'node:net';

export type Target = { host: string; port: number };

export class TcpFront {
  private readonly server = net.createServer((client) => void this.pipe(client));
  private readonly open = new Set<net.Socket>();
  private readonly clients = new Map<net.Socket, net.Socket>();
  private rotation: Target[];

  constructor(targets: Target[]) {
    this.rotation = [...targets];
  }

  static async start(targets: Target[]): Promise<TcpFront> {
    const front = new TcpFront(targets);
    await new Promise<void>((resolve) => front.server.listen(0, '127.0.0.1', resolve));
    return front;
  }

  get url(): string {
    const { port } = this.server.address() as net.AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The nodes new connections go to from now on. */
  use(targets: Target[]): void {
    this.rotation = [...targets];
  }

  /** What the browsers send from now on stays here, unsent, on the connections open now. */
  freeze(): void {
    for (const [client, upstream] of this.clients) {
      client.unpipe(upstream);
      client.pause();
    }
  }

  /** Breaks every connection open now, both ways. */
  dropAll(): void {
    for (const socket of this.open) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async pipe(client: net.Socket): Promise<void> {
    this.track(client);
    client.pause();
    for (const target of this.rotation) {
      const upstream = await connect(target);
      if (!upstream) continue;
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      this.track(upstream);
      this.clients.set(client, upstream);
      client.on('close', () => {
        this.clients.delete(client);
        upstream.destroy();
      });
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      return;
    }
    client.destroy();
  }

  private track(socket: net.Socket): void {
    this.open.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.open.delete(socket));
  }
}

/** A connected socket, or null when the node refuses (gone) within a second. */
function connect(target: Target): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect(target.port, target.host);
    const fail = () => {
      socket.destroy();
      resolve(null);
    };
    socket.setTimeout(1000, fail);
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', fail);
      resolve(socket);
    });
  });
}
