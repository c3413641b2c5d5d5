/**
 * One side of a chat as the relay generators see it, whatever the target
 * speaks: METSONY's JSON frames (`send` → `message` / `sent`) or the
 * Socket.IO wire protocol of the cluster baseline (bench/baseline-socketio.ts).
 * The Socket.IO side is spoken over bare `ws` here, as METSONY's is, so both
 * targets cost the generator the same per message.
 */
import WebSocket from 'ws';
import type { Client, Frame } from './clients.js';

export interface RelayPeer {
  readonly index: number;
  /** Sends `text` to the partner, with an id the target acknowledges. */
  send(id: number, text: string): void;
  onMessage: (text: string) => void;
  onSent: () => void;
  onError: (code: string) => void;
  close(): void;
}

/** A METSONY socket past `matched` (its `chatId` set). */
export function metsonyPeer(c: Client): RelayPeer {
  const prefix = `{"type":"send","chatId":"${c.chatId}","id":"`;
  const peer: RelayPeer = {
    index: c.index,
    send: (id, text) => c.sendRaw(`${prefix}${id}","text":"${text}"}`),
    onMessage: () => {},
    onSent: () => {},
    onError: () => {},
    close: () => c.ws.terminate(),
  };
  c.onFrame = (frame: Frame) => {
    if (frame.type === 'message') peer.onMessage(frame.text as string);
    else if (frame.type === 'sent') peer.onSent();
    else if (frame.type === 'error') peer.onError(String(frame.code));
  };
  return peer;
}

/**
 * A Socket.IO client on the wire (Engine.IO 4 over WebSocket): `0{…}` open,
 * `40` namespace connect, `2`/`3` ping/pong, `42[name, …args]` events.
 * Only what the baseline relay uses; event arguments are JSON.
 */
export class SioClient implements RelayPeer {
  room: string | undefined;
  closed = false;
  onMessage: (text: string) => void = () => {};
  onSent: () => void = () => {};
  onError: (code: string) => void = () => {};
  /** Every other event: name and arguments. */
  onEvent: (name: string, args: unknown[]) => void = () => {};
  private prefix = '';

  private constructor(
    readonly index: number,
    readonly ws: WebSocket,
  ) {}

  /** Connects and resolves once the namespace is joined. */
  static open(index: number, baseUrl: string, localAddress: string, timeoutMs: number): Promise<SioClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const client = new SioClient(index, ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('timeout')), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      ws.on('error', (err) => fail(err));
      ws.on('close', () => {
        client.closed = true;
      });
      ws.on('message', (data) => {
        const text = data.toString();
        if (text === '2') {
          ws.send('3');
        } else if (text.startsWith('42')) {
          client.event(JSON.parse(text.slice(2)) as [string, ...unknown[]]);
        } else if (text.startsWith('40')) {
          clearTimeout(timer);
          resolve(client);
        } else if (text.startsWith('0')) {
          ws.send('40');
        } else if (text.startsWith('44')) {
          fail(new Error(`connect_error ${text}`));
        }
      });
    });
  }

  private event([name, ...args]: [string, ...unknown[]]): void {
    if (name === 'message') this.onMessage(args[0] as string);
    else if (name === 'sent') this.onSent();
    else if (name === 'error_frame') this.onError(String(args[0]));
    else this.onEvent(name, args);
  }

  emit(name: string, ...args: unknown[]): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(`42${JSON.stringify([name, ...args])}`);
  }

  /** After `joined`: sends go to this room. */
  setRoom(room: string): void {
    this.room = room;
    this.prefix = `42["send","${room}",`;
  }

  send(id: number, text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(`${this.prefix}${id},"${text}"]`);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Opens `count` Socket.IO clients, `concurrency` handshakes at a time; client i on `urlOf(i)`. */
export async function openSioClients(opts: {
  count: number;
  urlOf: (i: number) => string;
  localAddresses: string[];
  concurrency?: number;
  firstIndex?: number;
}): Promise<{ clients: SioClient[]; errors: Record<string, number>; seconds: number }> {
  const started = performance.now();
  const clients: SioClient[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  const first = opts.firstIndex ?? 0;
  const worker = async () => {
    while (next < opts.count) {
      const i = first + next++;
      try {
        clients.push(await SioClient.open(i, opts.urlOf(i), opts.localAddresses[i % opts.localAddresses.length]!, 60_000));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message.split(' ')[0]!;
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 200 }, worker));
  clients.sort((a, b) => a.index - b.index);
  return { clients, errors, seconds: (performance.now() - started) / 1000 };
}
