/** Waiting for a match; Cancel goes back to idle. */
import { cancelSearch, region } from '../store/chat.js';
import { session } from '../store/session.js';

export function SearchingScreen() {
  const interests = session.value?.me?.interests ?? [];
  return (
    <div class="page narrow searching">
      <h1 class="visually-hidden" tabIndex={-1}>
        Searching
      </h1>
      <div class="searching-status" role="status">
        <span class="spinner" aria-hidden="true" />
        <p>Looking for someone who shares your interests…</p>
      </div>
      <p class="hint">
        {interests.length > 0
          ? `Your interests: ${interests.join(', ')}. If nobody matches soon, the search widens.`
          : 'You have no interests set, so anyone searching can be your match.'}
        {region.value === 'near' ? ' Preferring people near you.' : ''}
      </p>
      <button type="button" onClick={cancelSearch}>
        Cancel
      </button>
    </div>
  );
}
