/**
 * Entry point: take a Google landing out of the address (before anything
 * else, so its one-time ticket never lingers), ask which features are on,
 * restore the sign-in from localStorage, render, then finish the landing.
 */
import { render } from 'preact';
import { App } from './components/App.js';
import './store/alerts.js';
import { loadFeatures } from './store/features.js';
import { handleGoogleLanding, takeGoogleLanding } from './store/google.js';
import { restoreSession } from './store/session.js';
// The searching screen is a lazy chunk; what the `searching` frames say must be kept from the first one.
import './store/search.js';

const landing = takeGoogleLanding();
void loadFeatures();
// A Google sign-in this tab started replaces the stored one (restored only if it fails).
if (!(landing?.kind === 'ticket' && landing.flow?.intent === 'signin')) restoreSession();

const root = document.getElementById('app');
if (root) render(<App />, root);

void handleGoogleLanding(landing);
