/**
 * Shared set-up for the relay scenarios: accounts (server only), sockets
 * past `hello`/`ready`, and `find` until every socket is in a chat.
 */
import { type Client, loopbackAddresses, matchAll, openClients, type OpenResult } from './clients.js';
import { createAccounts, HttpClient } from './http.js';
import { type CommonParams, log } from './loadgen.js';

/** A token may be shared by at most this many sockets (the server may cap sockets per account). */
export const SOCKETS_PER_TOKEN = 5;

export type Tokens = { tokens: string[]; tokenOf: (i: number) => string; setup: { accounts: number; seconds: number; perSecond: number } | undefined };

/**
 * Creates enough accounts for `sockets` sockets (each token on at most
 * SOCKETS_PER_TOKEN sockets; socket i uses account i mod n, so neighbours
 * differ). The baseline checks no token: none are created for it.
 */
export async function tokensFor(p: CommonParams, sockets: number, interestsOf?: (i: number) => string[], perToken = SOCKETS_PER_TOKEN, budgetMs?: number): Promise<Tokens> {
  if (p.target === 'baseline') return { tokens: [], tokenOf: () => 'baseline', setup: undefined };
  let n = Math.ceil(sockets / perToken);
  if (n > 1 && n % 2 === 1) n++; // even, so sockets 2k and 2k+1 never share an account
  const http = new HttpClient(p.url);
  const created = await createAccounts(http, n, interestsOf, undefined, budgetMs);
  http.close();
  log(`${n} accounts in ${created.seconds.toFixed(1)} s (${created.perSecond}/s)`);
  const tokens = created.accounts.map((a) => a.token);
  return { tokens, tokenOf: (i) => tokens[i % tokens.length]!, setup: { accounts: n, seconds: created.seconds, perSecond: created.perSecond } };
}

export async function openPairs(
  p: CommonParams,
  pairs: number,
): Promise<{ clients: Client[]; setup: { accounts: Tokens['setup']; open: Omit<OpenResult, 'clients'>; matchSeconds: number } }> {
  const sockets = pairs * 2;
  const tokens = await tokensFor(p, sockets);
  const opened = await openClients({
    url: p.wsUrl,
    count: sockets,
    tokenOf: tokens.tokenOf,
    localAddresses: loopbackAddresses(p.addressCount, p.addressBase),
    concurrency: 200,
  });
  const { clients, ...open } = opened;
  log(`${open.opened}/${sockets} sockets ready in ${open.seconds.toFixed(1)} s${open.failed ? ` (failed: ${JSON.stringify(open.errors)})` : ''}`);
  if (open.opened < sockets) throw new Error(`only ${open.opened} of ${sockets} sockets opened: ${JSON.stringify(open.errors)}`);
  const match = await matchAll(clients, 20_000);
  if (match.matched < clients.length) throw new Error(`only ${match.matched} of ${clients.length} sockets were matched`);
  log(`${pairs} pairs matched in ${match.seconds.toFixed(2)} s`);
  return { clients, setup: { accounts: tokens.setup, open, matchSeconds: Math.round(match.seconds * 1000) / 1000 } };
}
