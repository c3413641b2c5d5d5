/** Entry point: restore the sign-in from localStorage, then render. */
import { render } from 'preact';
import { App } from './components/App.js';
import { restoreSession } from './store/session.js';

restoreSession();

const root = document.getElementById('app');
if (root) render(<App />, root);
