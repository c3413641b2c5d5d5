/**
 * A small keep-alive HTTP client and a closed-loop load loop on node:http
 * (no autocannon): `concurrency` workers each send one request at a time,
 * over a pooled keep-alive Agent, until the time or count budget runs out.
 */
import http from 'node:http';
import { type Summary, rounded, summarize } from './stats.js';

export type Reply = { status: number; body: string; ms: number };

export type Request = { method: string; path: string; body?: unknown; headers?: Record<string, string> };

export class HttpClient {
  readonly agent: http.Agent;
  private readonly url: URL;

  constructor(baseUrl: string, maxSockets = 64) {
    this.url = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(req: Request, timeoutMs = 10_000): Promise<Reply> {
    const started = performance.now();
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = { ...req.headers };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise<Reply>((resolve, reject) => {
      const r = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: req.path,
          method: req.method,
          agent: this.agent,
          headers,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
          );
          res.on('error', reject);
        },
      );
      r.on('timeout', () => r.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      r.on('error', reject);
      r.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export type LoadResult = {
  requests: number;
  ok: number;
  failed: number;
  /** Status code (or error code) → count, for the replies that were not `ok`. */
  failures: Record<string, number>;
  seconds: number;
  perSecond: number;
  latencyMs: Summary;
};

/**
 * Closed loop: `concurrency` workers, each waiting for its reply before the
 * next request. Stops at `durationMs` or after `maxRequests`, whichever first.
 * `next(i)` builds request i; `ok(reply, i)` says whether it succeeded.
 */
export async function runHttpLoad(opts: {
  client: HttpClient;
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  next: (i: number) => Request;
  ok: (reply: Reply, i: number) => boolean;
  /** Awaited before request i is built (a client's own work for it, e.g. a proof of work); not in its latency. */
  before?: (i: number) => Promise<void>;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let issued = 0;
  let ok = 0;
  const started = performance.now();
  const deadline = started + opts.durationMs;
  const worker = async () => {
    while (issued < opts.maxRequests && performance.now() < deadline) {
      const i = issued++;
      try {
        await opts.before?.(i);
        const reply = await opts.client.request(opts.next(i));
        latencies.push(reply.ms);
        if (opts.ok(reply, i)) ok++;
        else failures[String(reply.status)] = (failures[String(reply.status)] ?? 0) + 1;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        failures[code] = (failures[code] ?? 0) + 1;
        if (code === 'ECONNREFUSED') break;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: issued,
    ok,
    failed: issued - ok,
    failures,
    seconds: Math.round(seconds * 1000) / 1000,
    perSecond: Math.round(ok / seconds),
    latencyMs: rounded(summarize(latencies)),
  };
}

export type CreatedAccount = { token: string; recoveryCode: string; interests: string[] };

/**
 * Signs up `count` accounts (POST /api/accounts) with bounded concurrency; throws if any fails.
 * A `503 unavailable` (a shared store slow to answer on a busy machine) is retried, up to 3 more rounds.
 */
export async function createAccounts(
  client: HttpClient,
  count: number,
  interestsOf: (i: number) => string[] = () => [],
  concurrency = 50,
  budgetMs = 120_000,
): Promise<{ accounts: CreatedAccount[]; seconds: number; perSecond: number }> {
  const accounts: CreatedAccount[] = new Array(count);
  const started = performance.now();
  let bad: string | undefined;
  let todo = Array.from({ length: count }, (_, i) => i);
  for (let round = 0; round < 4 && todo.length > 0; round++) {
    const retry: number[] = [];
    bad = undefined;
    const batch = todo;
    await runHttpLoad({
      client,
      concurrency,
      durationMs: Math.max(1000, budgetMs - (performance.now() - started)),
      maxRequests: batch.length,
      next: (k) => ({
        method: 'POST',
        path: '/api/accounts',
        body: { nickname: `bench-${batch[k]!}`, interests: interestsOf(batch[k]!), adult: true },
      }),
      ok: (reply, k) => {
        if (reply.status !== 201) {
          if (reply.status === 503) retry.push(batch[k]!);
          bad ??= `${reply.status} ${reply.body.slice(0, 200)}`;
          return false;
        }
        const body = JSON.parse(reply.body) as { token: string; recoveryCode: string; account: { interests: string[] } };
        accounts[batch[k]!] = { token: body.token, recoveryCode: body.recoveryCode, interests: body.account.interests };
        return true;
      },
    });
    const missing = batch.filter((i) => !accounts[i]);
    if (missing.length > retry.length) break; // something other than 503, or out of time
    todo = missing;
  }
  const made = accounts.filter(Boolean).length;
  if (made !== count) throw new Error(`sign-up failed for ${count - made} of ${count} accounts: ${bad ?? 'out of time'}`);
  const seconds = (performance.now() - started) / 1000;
  return { accounts, seconds: Math.round(seconds * 1000) / 1000, perSecond: Math.round(count / seconds) };
}

/** GET /healthz `times` times in a row; the latencies and how many answered 200 {"status":"ok"}. */
export async function probeHealth(client: HttpClient, times: number): Promise<{ ok: number; of: number; latencyMs: Summary }> {
  const latencies: number[] = [];
  let ok = 0;
  for (let i = 0; i < times; i++) {
    try {
      const reply = await client.request({ method: 'GET', path: '/healthz' }, 5000);
      latencies.push(reply.ms);
      if (reply.status === 200 && reply.body.includes('"ok"')) ok++;
    } catch {
      // counted as not ok
    }
  }
  return { ok, of: times, latencyMs: rounded(summarize(latencies)) };
}
