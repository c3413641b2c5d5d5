/** `#/google`: the moment between coming back from Google and the screen that follows. */
import { googleBusy } from '../store/google.js';

export function GoogleLandingScreen() {
  return (
    <div class="page">
      <section class="card" aria-busy="true">
        <h1 tabIndex={-1}>{googleBusy.value === 'link' ? 'Linking Google…' : googleBusy.value ? 'Signing you in with Google…' : 'Back from Google…'}</h1>
        <p role="status">Just a moment.</p>
      </section>
    </div>
  );
}
