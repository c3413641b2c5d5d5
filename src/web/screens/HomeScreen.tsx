/** Signed in and not chatting: choose where to look, then Start chatting. */
import { href } from '../router.js';
import { region, setRegion, startSearch } from '../store/chat.js';
import { session } from '../store/session.js';
import type { Region } from '../storage.js';

const REGIONS: { value: Region; label: string; hint: string }[] = [
  { value: 'anywhere', label: 'Anywhere', hint: 'Anyone in the world who shares your interests.' },
  { value: 'near', label: 'Near me', hint: 'Prefer people in your country, estimated from your connection.' },
];

export function HomeScreen() {
  const me = session.value?.me;
  const interests = me?.interests ?? [];
  return (
    <div class="page narrow home">
      <h1 tabIndex={-1}>Ready when you are</h1>
      <p>
        {interests.length > 0 ? 'You will be matched on your interests:' : 'You have no interests set, so you can be matched with anyone.'}
      </p>
      {interests.length > 0 && (
        <ul class="chips static">
          {interests.map((i) => (
            <li class="chip" key={i}>
              {i}
            </li>
          ))}
        </ul>
      )}
      <p class="hint">
        <a href={href.settings}>Edit your nickname or interests</a>
      </p>
      <fieldset class="choices">
        <legend>Who to meet</legend>
        {REGIONS.map((r) => (
          <div class="choice" key={r.value}>
            <input
              type="radio"
              id={`region-${r.value}`}
              name="region"
              value={r.value}
              checked={region.value === r.value}
              onChange={() => setRegion(r.value)}
              aria-describedby={`region-${r.value}-hint`}
            />
            <label for={`region-${r.value}`}>{r.label}</label>
            <p class="hint" id={`region-${r.value}-hint`}>
              {r.hint}
            </p>
          </div>
        ))}
      </fieldset>
      <button type="button" class="primary big" onClick={startSearch}>
        Start chatting
      </button>
    </div>
  );
}
