import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { streamSink } from '../../src/server/logSink.js';

/** A stdout whose reader never reads: every write stays queued. */
function stalled(): Writable {
  return new Writable({ highWaterMark: 16, write() {} });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the log sink', () => {
  it('drops lines instead of queueing without bound when the reader lags', () => {
    const out = stalled();
    const sink = streamSink(out, 1000);
    for (let i = 0; i < 10_000; i++) sink.write(`{"msg":"line ${i}"}\n`);
    expect(out.writableLength).toBeLessThan(1100);
  });

  it('drain() gives up after its time when the reader never catches up', async () => {
    vi.useFakeTimers();
    const sink = streamSink(stalled());
    sink.write('{"msg":"stopped"}\n');
    let drained = false;
    const drain = sink.drain(500).then(() => (drained = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(drained).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await drain;
    expect(drained).toBe(true);
  });

  it('after an output error (EPIPE) writing neither throws nor waits', async () => {
    const out = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const sink = streamSink(out);
    sink.write('first\n');
    await new Promise<void>((resolve) => out.once('error', () => resolve()));
    expect(() => sink.write('second\n')).not.toThrow();
    await sink.drain(60_000); // resolves at once: nothing will ever drain
  });
});
