/**
 * Cluster mode behind a load balancer: the node holding a chat is stopped
 * (SIGTERM, as for a deploy) while two people chat; their pages reconnect at
 * once through the same address to the other node, resume, and the chat goes
 * on without anyone being told it ended. Runs when DATABASE_URL and REDIS_URL are set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import { postgresSchema } from '../helpers/stores.js';
import { TcpFront, type Target } from '../helpers/tcpFront.js';
import { sendMessage, signUpAndSearch } from '../helpers/webApp.js';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const WAIT_MS = 15_000;

const target = (node: ServerProcess): Target => ({ host: '127.0.0.1', port: node.port });

describe.runIf(databaseUrl && redisUrl)('a node stopped behind a second one', () => {
  let schema: Awaited<ReturnType<typeof postgresSchema>>;
  let node1: ServerProcess;
  let node2: ServerProcess;
  let front: TcpFront;

  // Before the suite's hooks, so it runs after them: the pages close first.
  afterAll(async () => {
    await front?.close();
    await node1?.stop();
    await node2?.stop();
    await schema?.drop();
  });

  const { profiles } = e2eSuite({ server: false, timeout: WAIT_MS, setupTimeout: 90_000 });

  beforeAll(async () => {
    schema = await postgresSchema(databaseUrl!, 'metsony_e2e_resume');
    const env = {
      DATABASE_URL: schema.url,
      REDIS_URL: redisUrl!,
      RECOVERY_PEPPER: 'e2e-resume-pepper-0123456789abcdef',
      CHAT_GRACE_MS: '15000',
    };
    [node1, node2] = await Promise.all([startServerProcess({ env }), startServerProcess({ env })]);
    // Everyone lands on node 1 first.
    front = await TcpFront.start([target(node1), target(node2)]);
  }, 90_000);

  it(
    'two people chatting on it carry on on the other node: same page, same log, no word of an end',
    async () => {
      const shared = `cluster-${Math.random().toString(36).slice(2, 10)}`;
      const [eve, finn] = await Promise.all([profiles.newPage(), profiles.newPage()]);
      // When each of Eve's sockets opened and closed, as the browser reports it.
      const eveSockets: Array<{ openedAt: number; closedAt?: number }> = [];
      eve.on('websocket', (ws) => {
        const record: { openedAt: number; closedAt?: number } = { openedAt: Date.now() };
        eveSockets.push(record);
        ws.on('close', () => (record.closedAt = Date.now()));
      });
      await Promise.all([signUpAndSearch(eve, front.url, 'Eve', [shared]), signUpAndSearch(finn, front.url, 'Finn', [shared])]);
      await eve.locator('.partner-name', { hasText: 'Finn' }).waitFor();
      await finn.locator('.partner-name', { hasText: 'Eve' }).waitFor();
      await sendMessage(eve, 'Before the deploy');
      await finn.getByRole('log').getByText('Before the deploy').waitFor();

      // The balancer takes node 1 out of rotation as its /readyz says draining; then it stops.
      front.use([target(node2)]);
      expect(await node1.stop()).toBe(0);

      await sendMessage(eve, 'Still here after the deploy');
      await finn.getByRole('log').getByText('Still here after the deploy').waitFor();
      await sendMessage(finn, 'Me too');
      await eve.getByRole('log').getByText('Me too').waitFor();
      await eve.getByRole('log').locator('.msg-own', { hasText: 'Still here after the deploy' }).locator('.msg-state.delivered').waitFor();

      // `shutdown {reconnect:true}`: the page knocked again at once, not after the pause a restarting single node gets (2 s).
      expect(eveSockets.length).toBe(2);
      expect(eveSockets[1]!.openedAt - eveSockets[0]!.closedAt!).toBeLessThan(1000);

      for (const page of [eve, finn]) {
        // The log kept in memory is still there, and nothing said the chat ended or blamed anyone.
        expect(await page.getByRole('log').getByText('Before the deploy').count()).toBe(1);
        for (const words of ['ended', 'disconnected', 'left.', 'METSONY is restarting', 'You are not in that chat']) {
          expect(await page.getByText(words, { exact: false }).count(), words).toBe(0);
        }
        expect(await page.getByRole('textbox', { name: 'Message' }).isDisabled()).toBe(false);
      }
    },
    60_000,
  );
});
