/**
 * The frame (header, notices, footer) and which screen shows, from the route,
 * the session and the chat phase:
 *
 *   #/privacy, #/terms          → the policy pages (signed in or not)
 *   #/google                    → GoogleLandingScreen, while the landing after Google finishes
 *   signed out                  → WelcomeScreen (first visit / recovery code)
 *   #/settings                  → SettingsScreen
 *   #/connections[/<id>]        → ConnectionsScreen / ThreadScreen
 *   #/ right after sign-up      → RecoveryCodeScreen
 *   #/                          → HomeScreen · SearchingScreen · ChatScreen, by `phase`
 */
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChild } from 'preact';
import { route } from '../router.js';
import { ChatScreen } from '../screens/ChatScreen.js';
import { ConnectionsScreen } from '../screens/ConnectionsScreen.js';
import { GoogleLandingScreen } from '../screens/GoogleLandingScreen.js';
import { HomeScreen } from '../screens/HomeScreen.js';
import { PrivacyScreen } from '../screens/PrivacyScreen.js';
import { RecoveryCodeScreen } from '../screens/RecoveryCodeScreen.js';
import { SearchingScreen } from '../screens/SearchingScreen.js';
import { SettingsScreen } from '../screens/SettingsScreen.js';
import { TermsScreen } from '../screens/TermsScreen.js';
import { ThreadScreen } from '../screens/ThreadScreen.js';
import { WelcomeScreen } from '../screens/WelcomeScreen.js';
import { phase } from '../store/chat.js';
import { freshRecoveryCode, session } from '../store/session.js';
import { Announcer } from './Announcer.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { MatchBanner } from './MatchBanner.js';
import { Notices } from './Notices.js';

/** fullHeight: a chat screen, which fills the window (only its conversation scrolls) and has no footer. */
type Screen = { key: string; view: ComponentChild; fullHeight?: boolean };

function currentScreen(): Screen {
  const r = route.value;
  if (r.name === 'privacy') return { key: 'privacy', view: <PrivacyScreen /> };
  if (r.name === 'terms') return { key: 'terms', view: <TermsScreen /> };
  if (r.name === 'google') return { key: 'google', view: <GoogleLandingScreen /> };
  if (!session.value) return { key: 'welcome', view: <WelcomeScreen /> };
  if (r.name === 'settings') return { key: 'settings', view: <SettingsScreen /> };
  if (r.name === 'connections') return { key: 'connections', view: <ConnectionsScreen /> };
  if (r.name === 'thread') {
    return { key: `thread:${r.connectionId}`, view: <ThreadScreen connectionId={r.connectionId} />, fullHeight: true };
  }
  const code = freshRecoveryCode.value;
  if (code) return { key: 'recovery-code', view: <RecoveryCodeScreen code={code} /> };
  const p = phase.value;
  if (p.kind === 'searching') return { key: 'searching', view: <SearchingScreen /> };
  if (p.kind === 'chat') {
    return { key: `chat:${p.chat.id}`, view: <ChatScreen key={p.chat.id} chat={p.chat} />, fullHeight: true };
  }
  return { key: 'home', view: <HomeScreen /> };
}

export function App() {
  const screen = currentScreen();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // A new screen: move focus to its heading so keyboard and screen-reader users start there.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (screen.key.startsWith('chat:')) return; // the chat focuses its message box
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [screen.key]);

  return (
    <div class={screen.fullHeight ? 'app app-full' : 'app'}>
      <Header />
      <ConnectionBanner />
      <Notices />
      <MatchBanner />
      <main ref={main} id="main">
        {screen.view}
      </main>
      {!screen.fullHeight && <Footer />}
      <Announcer />
    </div>
  );
}
