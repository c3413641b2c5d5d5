/**
 * The baseline: the least a relay can do, with bare `ws`, in its own process.
 * It speaks just enough of METSONY's protocol for the same load generators to
 * drive it: `hello` → `ready` + `inbox` (no token check, no database),
 * `find` → `searching`, then sockets are paired in arrival order and both get
 * `matched`; `send` is parsed as JSON (as the real server must) and becomes
 * `message` for the partner and `sent` for the sender, with the same shapes.
 * No validation, no auth, no matching policy, no logging, no limits: the
 * figures it gives are a ceiling for this machine, not a competitor.
 *
 * Env: PORT (0 = any), HOST (127.0.0.1). Prints {"msg":"listening","port":N}.
 * Also answers GET /healthz like the server.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

type Peer = { ws: WebSocket; partner: Peer | undefined; chatId: string | undefined; searching: boolean };

const MAX_PAYLOAD = 16 * 1024;
const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end('{"status":"ok"}');
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
  res.end('{"error":{"code":"not_found","message":"There is nothing here."}}');
});

const wss = new WebSocketServer({ server, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });
let waiting: Peer | undefined;
const createdAt = new Date().toISOString();

function send(peer: Peer, frame: object): void {
  if (peer.ws.readyState === peer.ws.OPEN) peer.ws.send(JSON.stringify(frame));
}

wss.on('connection', (ws) => {
  const peer: Peer = { ws, partner: undefined, chatId: undefined, searching: false };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let frame: { type?: unknown; chatId?: unknown; id?: unknown; text?: unknown };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      send(peer, { type: 'error', code: 'bad_request', message: 'Frames must be valid JSON.' });
      return;
    }
    switch (frame.type) {
      case 'send': {
        const partner = peer.partner;
        if (!partner || frame.chatId !== peer.chatId) {
          send(peer, { type: 'error', code: 'not_in_chat', message: 'You are not in that chat.' });
          return;
        }
        send(partner, { type: 'message', chatId: peer.chatId, id: frame.id, text: frame.text, at: new Date().toISOString() });
        send(peer, { type: 'sent', chatId: peer.chatId, id: frame.id });
        return;
      }
      case 'hello':
        send(peer, {
          type: 'ready',
          account: { id: randomBytes(12).toString('base64url'), nickname: 'baseline', interests: [], createdAt, linked: { google: false } },
        });
        send(peer, { type: 'inbox', messages: [] });
        return;
      case 'find': {
        if (peer.partner || peer.searching) return;
        send(peer, { type: 'searching' });
        const other = waiting;
        if (!other) {
          peer.searching = true;
          waiting = peer;
          return;
        }
        waiting = undefined;
        other.searching = false;
        const chatId = randomBytes(12).toString('base64url');
        for (const [self, partner] of [
          [other, peer],
          [peer, other],
        ] as const) {
          self.partner = partner;
          self.chatId = chatId;
          send(self, { type: 'matched', chat: { id: chatId, partner: { nickname: 'baseline', commonInterests: [], ai: false } } });
        }
        return;
      }
      case 'ping':
        send(peer, { type: 'pong' });
        return;
      default:
        return;
    }
  });
  ws.on('error', () => {});
  ws.on('close', () => {
    if (waiting === peer) waiting = undefined;
    const partner = peer.partner;
    if (partner) {
      const chatId = peer.chatId;
      partner.partner = undefined;
      partner.chatId = undefined;
      send(partner, { type: 'ended', chatId, reason: 'partner_disconnected' });
    }
    peer.partner = undefined;
  });
});

server.listen(port, host, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: actual, host })}\n`);
});

const stop = () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
