/** SIGTERM finishes within the grace whatever happens to stdout (issue 9, finding 17). */
import { describe, expect, it } from 'vitest';
import { signUp } from '../helpers/http.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

const GRACE_MS = 3000;

/** SIGTERM, then the exit code, or 'still running' once the hard stop (grace + 1 s) is well past. */
async function terminate(server: ServerProcess): Promise<{ code: number | null | 'still running'; ms: number }> {
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  const started = Date.now();
  server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exited,
    new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), GRACE_MS + 5000))),
  ]);
  clearTimeout(timer);
  return { code, ms: Date.now() - started };
}

describe('SIGTERM when nobody reads the logs', () => {
  it('the reader has gone (EPIPE): exits 0 within the grace, clients still told', async () => {
    const server = await startServerProcess({ env: { SHUTDOWN_GRACE_MS: String(GRACE_MS), LOG_LEVEL: 'debug' } });
    try {
      const { token } = await signUp(server.url);
      const socket = await TestSocket.signedIn(server.wsUrl, token);
      // The reading end goes away: from now on every write to stdout fails with EPIPE.
      server.child.stdout!.destroy();
      const { code, ms } = await terminate(server);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(GRACE_MS);
      expect(await socket.next('shutdown')).toEqual({ type: 'shutdown' });
    } finally {
      await server.kill();
    }
  });

  it('the reader stopped reading (the pipe is full): exits 0 within the grace', async () => {
    const server = await startServerProcess({ env: { SHUTDOWN_GRACE_MS: String(GRACE_MS), LOG_LEVEL: 'debug' } });
    try {
      server.child.stdout!.pause();
      // Each request logs a line of about 90 bytes: 4000 of them are far more than a pipe (64 KiB) holds.
      for (let batch = 0; batch < 200; batch++) {
        const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/healthz`).then((r) => r.status)));
        expect(statuses.every((s) => s === 200)).toBe(true);
      }
      const { code, ms } = await terminate(server);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(GRACE_MS);
    } finally {
      await server.kill();
    }
  });
});
