/** Signed in and not chatting: choose where to look, then Start chatting. */
import { href } from '../router.js';
import { RegionChoice } from '../components/SearchChoices.js';
import { startSearch } from '../store/chat.js';
import { session } from '../store/session.js';

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
      <RegionChoice idPrefix="region" />
      <button type="button" class="primary big" onClick={startSearch}>
        Start chatting
      </button>
    </div>
  );
}
