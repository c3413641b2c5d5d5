/**
 * What the searching screen shows besides the spinner: since when this search
 * runs, whether it is open to anyone yet, how many people are online, and when
 * an AI partner may join (the `searching` frames, docs/protocol.md "Searching").
 * The live region says "Search widened" when a search that began with shared
 * interests opens to anyone.
 */
import { effect, signal } from '@preact/signals';
import { announce } from './announcer.js';
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

const SEARCH_WIDENED = 'Search widened';

/**
 * Per search: a `searching` frame said "not widened yet" (a search without
 * interests is widened from its first frame: nothing to announce), and whether
 * the widening was announced. A reconnect or a changed choice searches again
 * on the server and may widen again; the person hears it once.
 */
let sawNarrow = false;
let widenAnnounced = false;

let wasSearching = false;
effect(() => {
  const searching = phase.value.kind === 'searching';
  if (searching && !wasSearching) {
    search.value = { startedAt: Date.now(), widened: false, online: null, aiAfterMs: null };
    sawNarrow = false;
    widenAnnounced = false;
  }
  wasSearching = searching;
});

onFrame((frame) => {
  if (frame.type !== 'searching' || phase.value.kind !== 'searching') return;
  if (!frame.widened) sawNarrow = true;
  else if (sawNarrow && !widenAnnounced) {
    widenAnnounced = true;
    announce(SEARCH_WIDENED);
  }
  search.value = {
    ...search.value,
    widened: frame.widened,
    online: frame.online,
    aiAfterMs: frame.aiAfterMs ?? null,
  };
});
