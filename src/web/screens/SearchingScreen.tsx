/**
 * Waiting for a match: how long, whether the search is open to anyone yet, how many
 * people are online, the AI-partner notice with "Only people", and where to look.
 * Cancel goes back to idle.
 */
import { useEffect, useState } from 'preact/hooks';
import { OnlyPeopleChoice, RegionChoice } from '../components/SearchChoices.js';
import { cancelSearch } from '../store/chat.js';
import { search } from '../store/search.js';
import { session } from '../store/session.js';

export function SearchingScreen() {
  const interests = session.value?.me?.interests ?? [];
  const { startedAt, widened, online, aiAfterMs } = search.value;
  const elapsed = useElapsed(startedAt);
  const openToAnyone = widened || interests.length === 0;
  return (
    <div class="page narrow searching">
      <h1 class="visually-hidden" tabIndex={-1}>
        Searching
      </h1>
      <div class="searching-status" role="status">
        <span class="spinner" aria-hidden="true" />
        <p>{openToAnyone ? 'Now looking for anyone' : 'Looking for someone who shares your interests…'}</p>
      </div>
      <p class="searching-facts">
        <span>
          Searching for <time dateTime={`PT${Math.floor(elapsed / 1000)}S`}>{formatElapsed(elapsed)}</time>
        </span>
        {online !== null && <span class="online-count">{onlineText(online)}</span>}
      </p>
      <p class="hint">
        {interests.length === 0
          ? 'You have no interests set, so anyone searching can be your match.'
          : widened
            ? `Nobody shared your interests (${interests.join(', ')}) in time, so anyone searching can be your match now.`
            : `Your interests: ${interests.join(', ')}. If nobody shares them soon, the search opens to anyone.`}
      </p>
      <OnlyPeopleChoice aiAfterMs={aiAfterMs} />
      <RegionChoice idPrefix="search-region" />
      <button type="button" onClick={cancelSearch}>
        Cancel
      </button>
    </div>
  );
}

/** Milliseconds since `since`, re-rendering every second. */
function useElapsed(since: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(0, now - since);
}

function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function onlineText(online: number): string {
  return online <= 1 ? 'Only you are online right now' : `${online.toLocaleString('en')} people online`;
}
