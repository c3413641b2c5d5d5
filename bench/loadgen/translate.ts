/**
 * Scenario "ai": the `latency` scenario's open loop (`pairs` pairs, each
 * rate in `rates`) while, all along, `translatePerSecond` requests a second
 * go to POST /api/translate (texts in several languages, to English: the
 * detector runs on each; those it finds English come back without a call to
 * the model). Run against the server with AI translation on (the tests' fake
 * model on loopback) and the same server with it off (the baseline, where
 * every translate request gets 404): the difference is what translation
 * costs the relay.
 */
import { closeAll } from '../lib/clients.js';
import { createAccounts, HttpClient } from '../lib/http.js';
import { finish, log, main, params, setLabel } from '../lib/loadgen.js';
import { metsonyPeer } from '../lib/peers.js';
import { openLoop } from '../lib/relayLoad.js';
import { openPairs } from '../lib/setup.js';
import { round, rounded, summarize } from '../lib/stats.js';

type Params = { pairs: number; rates: number[]; warmupMs: number; measureMs: number; drainMs: number; textBytes: number; translatePerSecond: number };

const TEXTS = [
  'Hola, ¿cómo estás? Me encanta la música y viajar por el mundo con mis amigos.',
  'Guten Morgen! Ich lese gern Bücher und gehe am Wochenende in den Bergen wandern.',
  'Bonjour, je cherche quelqu’un pour parler de cinéma et de cuisine française.',
  'Olá! Eu gosto muito de futebol e de praia, e você, o que gosta de fazer?',
  'こんにちは、今日はとても良い天気ですね。週末は何をしますか？',
  'Hello there, I like hiking and reading science fiction on rainy afternoons.',
  'Ciao! Mi piace cucinare la pasta fatta in casa e ascoltare musica jazz.',
  'Привет! Как дела? Я люблю читать книги и гулять в парке по вечерам.',
];

main(async () => {
  const p = params<Params>();
  setLabel(`ai/${p.target}`);
  const http = new HttpClient(p.url, 16);
  const [account] = (await createAccounts(http, 1)).accounts;
  const { clients, setup } = await openPairs(p, p.pairs);
  const peers = clients.map(metsonyPeer);

  // Translation requests at a steady rate, each on its own (not waiting for the previous one).
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  const interval = 1000 / p.translatePerSecond;
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - started) / interval);
    for (; issued < due; issued++) {
      const text = TEXTS[issued % TEXTS.length]!;
      http.request({ method: 'POST', path: '/api/translate', body: { text, to: 'en' }, headers: { authorization: `Bearer ${account!.token}` } }).then(
        (reply) => {
          statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
          latencies.push(reply.ms);
        },
        (err: unknown) => {
          const code = (err as NodeJS.ErrnoException).code ?? 'error';
          statuses[code] = (statuses[code] ?? 0) + 1;
        },
      );
    }
  }, 5);

  const runs = [];
  for (const rate of p.rates) runs.push(await openLoop(peers, { rate, warmupMs: p.warmupMs, measureMs: p.measureMs, drainMs: p.drainMs, textBytes: p.textBytes, pids: [p.pid] }));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  log(`translate: ${issued} requests in ${round(seconds, 1)} s: ${JSON.stringify(statuses)}`);
  closeAll(clients);
  http.close();
  finish({ setup, runs, translate: { issued, perSecond: round(issued / seconds, 1), statuses, latencyMs: rounded(summarize(latencies)) } });
});
