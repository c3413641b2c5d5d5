/**
 * The language detector on its own thread (src/server/ai/detectorThread.ts):
 * it detects, its tables stay off this thread's heap, and a thread that dies
 * or hangs costs an "unknown" answer, never a hang or a crash.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LanguageDetector } from '../../src/server/ai/detectorThread.js';

const detectors: LanguageDetector[] = [];
afterEach(async () => {
  for (const detector of detectors.splice(0)) await detector.close();
});

function detector(options: ConstructorParameters<typeof LanguageDetector>[0] = {}): LanguageDetector {
  const made = new LanguageDetector(options);
  detectors.push(made);
  return made;
}

/** This thread's live heap after a full collection. */
function liveHeap(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('the language detector thread', () => {
  // First in the file: once anything here had loaded the tables on this thread, they would stay.
  it('keeps its tables (~28 MB) off this thread’s heap', async () => {
    const before = liveHeap();
    const languages = detector();
    expect(await languages.detect('Bonjour, je cherche quelqu’un pour parler de cinéma et de cuisine française.')).toBe('fr');
    const grown = liveHeap() - before;
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });

  it('tells Spanish, German and English apart, and says null when unsure', async () => {
    const languages = detector();
    expect(await languages.detect('Hola, ¿cómo estás? Me encanta la música y viajar por el mundo con mis amigos.')).toBe('es');
    expect(await languages.detect('Guten Morgen! Ich lese gern Bücher und gehe am Wochenende in den Bergen wandern.')).toBe('de');
    expect(await languages.detect('Hello there, I like hiking and reading science fiction on rainy afternoons.')).toBe('en');
    expect(await languages.detect('👍')).toBeNull();
  });

  it('answers null for what a dying thread had, and starts a new one for the next text', async () => {
    const threads: Worker[] = [];
    const languages = detector({ onThread: (thread) => threads.push(thread) });
    expect(await languages.detect('Ciao! Mi piace cucinare la pasta fatta in casa e ascoltare musica jazz.')).toBe('it');
    const pending = languages.detect('Olá! Eu gosto muito de futebol e de praia, e você, o que gosta de fazer?');
    await threads[0]!.terminate();
    expect(await pending).toBeNull();
    expect(await languages.detect('Привет! Как дела? Я люблю читать книги и гулять в парке по вечерам.')).toBe('ru');
    expect(threads).toHaveLength(2);
  });

  it('a thread’s error and its later exit answer only what was sent to that thread', async () => {
    const threads: Worker[] = [];
    const languages = detector({ onThread: (thread) => threads.push(thread) });
    expect(await languages.detect('Ciao! Mi piace cucinare la pasta fatta in casa e ascoltare musica jazz.')).toBe('it');
    // An error comes first (the thread is given up), its exit later: meanwhile a new thread took a text.
    threads[0]!.emit('error', new Error('the thread failed'));
    const onNewThread = languages.detect('Hola, ¿cómo estás? Me encanta la música y viajar por el mundo con mis amigos.');
    expect(threads).toHaveLength(2);
    threads[0]!.emit('exit', 1);
    expect(await onNewThread).toBe('es');
    await threads[0]!.terminate();
  });

  it('answers null when the thread does not answer in time, and the next text is answered again', async () => {
    const languages = detector({ timeoutMs: 5000 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const late = languages.detect('Hola, ¿cómo estás? Me encanta la música y viajar por el mundo con mis amigos.');
      // The time runs out before the event loop could bring the thread's answer.
      vi.advanceTimersByTime(5000);
      expect(await late).toBeNull();
    } finally {
      vi.useRealTimers();
    }
    expect(await languages.detect('Guten Morgen! Ich lese gern Bücher und gehe am Wochenende in den Bergen wandern.')).toBe('de');
  });

  it('answers null once closed, without a thread', async () => {
    const threads: Worker[] = [];
    const languages = detector({ onThread: (thread) => threads.push(thread) });
    await languages.close();
    expect(await languages.detect('Hola, ¿cómo estás?')).toBeNull();
    expect(threads).toHaveLength(0);
  });
});
