/**
 * What the searching screen shows besides the spinner: since when this search
 * runs, whether it is open to anyone yet, how many people are online, and when
 * an AI partner may join (the `searching` frames, docs/protocol.md "Searching").
 */
import { effect, signal } from '@preact/signals';
import { phase } from './chat.js';
import { onFrame } from './realtime.js';

export type SearchInfo = {
  /** `Date.now()` when the person started searching (kept across a reconnect or a changed choice). */
  startedAt: number;
  widened: boolean;
  /** Unknown until the server answers. */
  online: number | null;
  /** When (after startedAt) an AI partner may join; null when none will. */
  aiAfterMs: number | null;
};

export const search = signal<SearchInfo>({ startedAt: Date.now(), widened: false, online: null, aiAfterMs: null });

let wasSearching = false;
effect(() => {
  const searching = phase.value.kind === 'searching';
  if (searching && !wasSearching) search.value = { startedAt: Date.now(), widened: false, online: null, aiAfterMs: null };
  wasSearching = searching;
});

onFrame((frame) => {
  if (frame.type !== 'searching' || phase.value.kind !== 'searching') return;
  search.value = {
    ...search.value,
    widened: frame.widened,
    online: frame.online,
    aiAfterMs: frame.aiAfterMs ?? null,
  };
});
