/**
 * Where log lines go: stdout, in a way that can neither block nor throw.
 * pino's default sink writes stdout synchronously at exit and retries a full
 * pipe forever, so a log reader that stopped reading kept the process from
 * ever exiting. Here a line that cannot be written is dropped: when the
 * reader has gone (EPIPE, any error), or when it lags by more than
 * `maxQueuedBytes`. Nothing runs at exit; a clean stop calls drain() first.
 */
import type { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';

export type LogSink = DestinationStream & {
  /** Resolves once the queued lines are written, the output has failed, or `ms` have passed. */
  drain(ms: number): Promise<void>;
};

export function streamSink(out: Writable, maxQueuedBytes = 1024 * 1024): LogSink {
  let broken = false;
  const fail = () => {
    broken = true;
  };
  out.on('error', fail);
  out.on('close', fail);
  return {
    write(line: string) {
      if (broken || out.writableLength > maxQueuedBytes) return;
      try {
        out.write(line);
      } catch {
        broken = true;
      }
    },
    drain(ms) {
      if (broken || out.writableLength === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          out.off('drain', done).off('error', done).off('close', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        out.once('drain', done).once('error', done).once('close', done);
      });
    },
  };
}

export function stdoutSink(): LogSink {
  return streamSink(process.stdout);
}
