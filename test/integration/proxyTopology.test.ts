/**
 * Issue 15: the production topology, run here. nginx with the shipped
 * deploy/nginx/metsony.conf in front of three node processes over PostgreSQL
 * and a redis-server of the test's own; every client talks to the proxy only
 * (the test reads the nodes' /metrics and /readyz directly to observe them).
 * Clients connect from addresses of their own in 127.0.0.0/8, so the address
 * each node believes can be told apart from nginx's (127.0.0.1).
 */
import http from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignUp } from '../helpers/http.js';
import { freePort, type Running, startService } from '../helpers/inProcess.js';
import { Nginx, nginxAvailable } from '../helpers/nginx.js';
import { freshTopic } from '../helpers/people.js';
import { RedisServer, redisServerAvailable } from '../helpers/redisServer.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { postgresSchema } from '../helpers/stores.js';
import { TestSocket } from '../helpers/wsClient.js';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const METRICS_TOKEN = 'proxy-topology-metrics-0123456789abcdef';
const SIGNUPS_PER_ADDRESS = 4;
/**
 * Generous on purpose: on a machine busy with other suites a node can stall for seconds (a restart's
 * tsx start-up takes a core), and a chat must not end by its grace or by a node judged dead meanwhile.
 */
const GRACE_MS = 120_000;
const NODE_TTL_MS = 120_000;
const NODE_COUNT = 3;
/** Starting three node processes (tsx) and restarting each in turn is slow on a busy 2-core machine. */
const SLOW_MS = 400_000;
const START_MS = 120_000;
/** How long a live node may take to answer a ping on a busy machine. */
const PONG_WAIT_MS = 30_000;

/** A request to the proxy from `from` (a loopback address), as node:http allows choosing the source address. */
function request(from: string, base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${base}${path}`,
      { method, localAddress: from, headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) }, timeout: 10_000 },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

let clients = 0;
/** A fresh client address per person: each has its own per-address budget. */
const nextAddress = () => `127.0.1.${++clients}`;

describe.runIf(databaseUrl && redisUrl && nginxAvailable() && redisServerAvailable())('nginx in front of three nodes (deploy/nginx/metsony.conf)', () => {
  const nodes: ServerProcess[] = [];
  const ports: number[] = [];
  let env: Record<string, string>;
  let proxy: Nginx;
  let redis: RedisServer;
  let schema: Awaited<ReturnType<typeof postgresSchema>>;

  const startNode = (i: number) => startServerProcess({ env: { ...env, PORT: String(ports[i]) }, startTimeoutMs: START_MS });

  beforeAll(async () => {
    redis = await RedisServer.start();
    schema = await postgresSchema(databaseUrl!, 'metsony_proxy');
    for (let i = 0; i < NODE_COUNT; i++) ports.push(await freePort());
    env = {
      DATABASE_URL: schema.url,
      REDIS_URL: redis.url,
      RECOVERY_PEPPER: 'proxy-topology-pepper-0123456789abcdef',
      TRUST_PROXY: '127.0.0.1/32',
      METRICS_TOKEN,
      RATE_SIGNUP: `${SIGNUPS_PER_ADDRESS}/600`,
      CHAT_GRACE_MS: String(GRACE_MS),
      NODE_TTL_MS: String(NODE_TTL_MS),
      LOG_LEVEL: 'info',
    };
    // All at once, on a fresh schema: they migrate it together (one does, the others wait).
    nodes.push(...(await Promise.all(ports.map((_, i) => startNode(i)))));
    proxy = await Nginx.start('metsony.conf', ports);
  }, SLOW_MS);

  afterAll(async () => {
    await proxy?.stop();
    for (const node of nodes) await node.kill();
    await schema?.drop();
    await redis?.kill();
  }, SLOW_MS);

  /** How many sockets each node holds, read from its /metrics. */
  async function socketsPerNode(): Promise<number[]> {
    return Promise.all(
      nodes.map(async (node) => {
        const res = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
        const match = /^metsony_sockets_open (\d+)$/m.exec(await res.text());
        if (!match) throw new Error(`no metsony_sockets_open on ${node.url}`);
        return Number(match[1]);
      }),
    );
  }

  /** Waits (bounded) until no node holds a socket, so the next test's socket counts start clean. */
  async function allClosed(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await socketsPerNode()).some((n) => n > 0)) {
      if (Date.now() > deadline) throw new Error(`sockets still open: ${JSON.stringify(await socketsPerNode())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function signUpVia(from: string, interests: string[], nickname: string): Promise<SignUp> {
    const res = await request(from, proxy.url, 'POST', '/api/accounts', { nickname, interests, adult: true });
    if (res.status !== 201) throw new Error(`sign-up through the proxy: ${res.status} ${JSON.stringify(res.body)}\nnginx: ${proxy.errorLog().slice(0, 6000)}`);
    return res.body as unknown as SignUp;
  }

  /** Someone signed up and connected through the proxy; `node`: which node took the socket (from the metrics). */
  async function arrive(interests: string[], nickname: string) {
    const from = nextAddress();
    const user = await signUpVia(from, interests, nickname);
    const before = await socketsPerNode();
    const socket = await TestSocket.signedIn(proxy.wsUrl, user.token, from);
    const after = await socketsPerNode();
    const grew = after.map((n, i) => n - before[i]!);
    expect(grew.filter((d) => d !== 0), `one node took the socket: ${JSON.stringify({ before, after })}`).toEqual([1]);
    return { from, user, socket, node: grew.indexOf(1) };
  }

  type Visitor = Awaited<ReturnType<typeof arrive>>;

  async function matchPair(x: Visitor, y: Visitor, topic: string): Promise<string> {
    x.socket.send({ type: 'find', interests: [topic] });
    await x.socket.next('searching');
    y.socket.send({ type: 'find', interests: [topic] });
    const chatId = (await x.socket.next('matched')).chat.id;
    expect((await y.socket.next('matched')).chat.id).toBe(chatId);
    return chatId;
  }

  async function say(from: TestSocket, to: TestSocket, chatId: string, id: string): Promise<void> {
    from.send({ type: 'send', chatId, id, text: `text ${id}` });
    expect(await to.next('message', (m) => m.id === id, 15_000)).toMatchObject({ chatId, id, text: `text ${id}` });
    expect(await from.next('sent', (s) => s.id === id)).toMatchObject({ chatId, id });
  }

  it('people sign up, are matched and chat across nodes, through the proxy only', async () => {
    const topic = freshTopic();
    const first = await arrive([topic], 'Ana');
    let second = await arrive([topic], 'Ben');
    const extra: Visitor[] = [];
    // Round robin usually puts the second elsewhere at once; keep arriving (bounded) until it does.
    while (second.node === first.node && extra.length < NODE_COUNT) {
      extra.push(second);
      second = await arrive([freshTopic()], `Ben${extra.length}`);
    }
    expect(second.node).not.toBe(first.node);
    const chatId = await matchPair(first, second, topic);
    await say(first.socket, second.socket, chatId, 'hello-across');
    await say(second.socket, first.socket, chatId, 'reply-across');
    for (const v of [first, second, ...extra]) v.socket.close();
    await allClosed();
  });

  it('the nodes believe the client’s own address: a forged X-Forwarded-For changes nothing', async () => {
    const client = '127.0.2.1';
    // Each sign-up claims another address; the per-address budget (shared by the nodes through Redis) still runs out.
    for (let i = 0; i < SIGNUPS_PER_ADDRESS; i++) {
      const res = await request(client, proxy.url, 'POST', '/api/accounts', { nickname: `forger${i}`, interests: [], adult: true }, {
        'x-forwarded-for': `203.0.113.${i + 1}, 127.0.0.1`,
      });
      expect(res.status).toBe(201);
    }
    const over = await request(client, proxy.url, 'POST', '/api/accounts', { nickname: 'forger-last', interests: [], adult: true }, {
      'x-forwarded-for': '198.51.100.77',
    });
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({ code: 'rate_limited' });
    // Another client behind the same proxy has its own budget: the nodes did not count nginx's address.
    const neighbour = await request('127.0.2.2', proxy.url, 'POST', '/api/accounts', { nickname: 'neighbour', interests: [], adult: true });
    expect(neighbour.status).toBe(201);
  });

  it('a rolling restart (each node SIGTERM, then back) leaves every chat going', async () => {
    // Three chats; people spread over the nodes by the proxy, at least one chat across nodes.
    const people: Visitor[] = [];
    const chats: Array<{ a: Roamer; b: Roamer; chatId: string }> = [];
    for (let c = 0; c < 3; c++) {
      const topic = freshTopic();
      const a = await arrive([topic], `Ro${c}a`);
      const b = await arrive([topic], `Ro${c}b`);
      people.push(a, b);
      const chatId = await matchPair(a, b, topic);
      chats.push({ a: new Roamer(a, chatId, proxy), b: new Roamer(b, chatId, proxy), chatId });
    }
    expect(people.map((p) => p.node).some((n, i, all) => n !== all[0])).toBe(true);
    const roamers = chats.flatMap((c) => [c.a, c.b]);

    for (let i = 0; i < NODE_COUNT; i++) {
      expect(await nodes[i]!.stop()).toBe(0);
      for (const r of roamers) await r.settled();
      nodes[i] = await startNode(i);
      await readyAgain(nodes[i]!);
      for (const [n, { a, b, chatId }] of chats.entries()) {
        await say(a.socket, b.socket, chatId, `after-${i}-${n}-a`);
        await say(b.socket, a.socket, chatId, `after-${i}-${n}-b`);
      }
    }
    // Everyone whose node stopped came back with `resume`, and no chat ended.
    expect(roamers.reduce((sum, r) => sum + r.resumes, 0)).toBeGreaterThanOrEqual(roamers.length);
    for (const r of roamers) expect(r.everyFrame('ended')).toEqual([]);

    // The restarted nodes take new people, who meet the old ones' nodes.
    const topic = freshTopic();
    const late1 = await arrive([topic], 'Late1');
    const late2 = await arrive([topic], 'Late2');
    const chatId = await matchPair(late1, late2, topic);
    await say(late1.socket, late2.socket, chatId, 'late');
    for (const r of roamers) r.close();
    late1.socket.close();
    late2.socket.close();
    await allClosed();
  }, SLOW_MS);

  async function readyAgain(node: ServerProcess): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await fetch(`${node.url}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`${node.url} not ready 15 s after start`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});

/**
 * A person in a chat who behaves like the web app: on `shutdown {reconnect:true}`
 * (or a dropped socket) it reconnects through the proxy at once and resumes its chat,
 * trying again if it lands on the node that is stopping.
 */
/** A roamer's reconnects: bounded in count, the pause between them growing to a second (a busy machine restarts nodes slowly). */
const MAX_ATTEMPTS = 20;
const backoffMs = (attempt: number) => Math.min(100 * attempt, 1000);

class Roamer {
  socket: TestSocket;
  resumes = 0;
  private readonly old: TestSocket[] = [];
  private back: Promise<void> | undefined;
  private done = false;
  private failure: unknown;

  constructor(
    private readonly visitor: { from: string; user: SignUp; socket: TestSocket },
    private readonly chatId: string,
    private readonly proxy: Nginx,
  ) {
    this.socket = visitor.socket;
    this.watch(this.socket);
  }

  private watch(socket: TestSocket): void {
    const leave = () => {
      if (socket !== this.socket || this.back || this.done) return;
      // A failure is kept for settled() to report.
      this.back = this.comeBack()
        .catch((err: unknown) => {
          this.failure = err;
        })
        .finally(() => (this.back = undefined));
    };
    socket.ws.on('message', (data) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'shutdown') leave();
    });
    socket.ws.on('close', leave);
  }

  private async comeBack(): Promise<void> {
    this.old.push(this.socket);
    /** What each attempt met, for the failure message. */
    const tries: string[] = [];
    for (let attempt = 1; ; attempt++) {
      if (attempt > MAX_ATTEMPTS) {
        throw new Error(`no live node took the socket in ${MAX_ATTEMPTS} attempts: ${tries.join('; ')}\nnginx: ${this.proxy.errorLog().slice(-2000)}`);
      }
      // Like the web app, try again when the proxy has no node to offer just then.
      const socket = await TestSocket.open(this.proxy.wsUrl, {}, this.visitor.from).catch((err: unknown) => err);
      if (!(socket instanceof TestSocket)) {
        tries.push(`${attempt}: ${socket instanceof Error ? socket.message : String(socket)}`);
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
        continue;
      }
      socket.send({ type: 'hello', token: this.visitor.user.token });
      const first = await socket.next(undefined, (f) => f.type === 'ready' || f.type === 'shutdown');
      if (first.type === 'ready') {
        await socket.next('inbox');
        socket.send({ type: 'resume', chatId: this.chatId });
        const answer = await socket.next(undefined, (f) => f.type === 'resumed' || f.type === 'error');
        if (answer.type !== 'resumed') {
          const before = this.old.flatMap((old) => old.frames.map((f) => f.type));
          throw new Error(`${this.visitor.user.account.nickname} could not resume: ${JSON.stringify(answer)}; frames before: ${JSON.stringify(before)}`);
        }
        this.socket = socket;
        this.resumes++;
        this.watch(socket);
        return;
      }
      // An upgrade already under way when the node began to stop (later ones are refused with 503 and nginx tries another node).
      tries.push(`${attempt}: shutdown`);
      socket.close();
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }

  /** Resolves once this person is on a live node: its socket answers a ping, or it has come back. */
  async settled(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.back) {
        await this.back;
        continue;
      }
      const socket = this.socket;
      let onClose = () => {};
      const gone = new Promise<'gone'>((resolve) => {
        onClose = () => resolve('gone');
        socket.ws.once('close', onClose);
      });
      const alive = socket.flushed(PONG_WAIT_MS).then(
        () => 'alive' as const,
        () => (socket.ws.readyState === WebSocket.OPEN ? ('silent' as const) : ('gone' as const)),
      );
      const outcome = await Promise.race([alive, gone]);
      socket.ws.off('close', onClose);
      if (outcome === 'silent') throw new Error(`a socket through the proxy stayed open but silent for ${PONG_WAIT_MS} ms`);
      if (outcome === 'alive' && socket === this.socket && !this.back) return;
      // Its socket went away: the close started comeBack (watch), awaited on the next turn.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Leaves for good (no coming back). */
  close(): void {
    this.done = true;
    this.socket.close();
  }

  /** Frames of that type on every socket this person has had. */
  everyFrame(type: string): unknown[] {
    return [...this.old, this.socket].flatMap((s) => s.frames.filter((f) => f.type === type));
  }
}

/**
 * deploy/nginx/metsony-cloudflare.conf, with 127.0.3.1 standing in for
 * Cloudflare's ranges: CF-Connecting-IP is believed from "Cloudflare" only;
 * anyone else reaching the origin directly counts as its own address.
 */
describe.runIf(nginxAvailable())('the Cloudflare-in-front variant (deploy/nginx/metsony-cloudflare.conf)', () => {
  const CLOUDFLARE = '127.0.3.1';
  const BUDGET = 2;
  let node: Running;
  let proxy: Nginx;

  beforeAll(async () => {
    node = await startService({ TRUST_PROXY: 'cloudflare', CLOUDFLARE_IPS: '127.0.0.1/32,::1/128', RATE_SIGNUP: `${BUDGET}/600` });
    proxy = await Nginx.start('metsony-cloudflare.conf', [Number(new URL(node.url).port)], [
      ['    173.245.48.0/20 1;\n', `    ${CLOUDFLARE}/32 1;\n`],
    ]);
  });
  afterAll(async () => {
    await proxy?.stop();
    await node?.stop();
  });

  const signUpFrom = (from: string, headers: Record<string, string> = {}) =>
    request(from, proxy.url, 'POST', '/api/accounts', { nickname: `cf${++clients}`, interests: [], adult: true }, headers).then((r) => r.status);

  it('from Cloudflare, each CF-Connecting-IP has its own budget', async () => {
    for (let i = 0; i < BUDGET; i++) expect(await signUpFrom(CLOUDFLARE, { 'cf-connecting-ip': '198.51.100.1' })).toBe(201);
    expect(await signUpFrom(CLOUDFLARE, { 'cf-connecting-ip': '198.51.100.1' })).toBe(429);
    expect(await signUpFrom(CLOUDFLARE, { 'cf-connecting-ip': '198.51.100.2' })).toBe(201);
  });

  it('from anyone else, CF-Connecting-IP is not believed, and each direct client counts as itself', async () => {
    for (let i = 0; i < BUDGET; i++) expect(await signUpFrom('127.0.3.9', { 'cf-connecting-ip': `203.0.113.${i + 1}` })).toBe(201);
    expect(await signUpFrom('127.0.3.9', { 'cf-connecting-ip': '203.0.113.99' })).toBe(429);
    expect(await signUpFrom('127.0.3.10')).toBe(201);
  });
});
