/** Entry point: ask which features are on, restore the sign-in from localStorage, then render. */
import { render } from 'preact';
import { App } from './components/App.js';
import { loadFeatures } from './store/features.js';
import { restoreSession } from './store/session.js';

void loadFeatures();
restoreSession();

const root = document.getElementById('app');
if (root) render(<App />, root);
