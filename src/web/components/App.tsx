/**
 * The frame (header, notices, footer) and which screen shows, from the route,
 * the session and the chat phase:
 *
 *   #/privacy, #/terms          → the policy pages (signed in or not)
 *   #/google                    → GoogleLandingScreen, while the landing after Google finishes
 *   #/moderate                  → ModerateScreen, the moderator console (its own token; signed in or not)
 *   signed out                  → WelcomeScreen (first visit / recovery code)
 *   #/settings                  → SettingsScreen
 *   #/connections[/<id>]        → ConnectionsScreen / ThreadScreen
 *   #/ right after sign-up      → RecoveryCodeScreen
 *   #/                          → HomeScreen · SearchingScreen · ChatScreen, by `phase`,
 *                                 or ResumingScreen · ResumeOfferScreen while a chat waits to be taken back
 */
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChild } from 'preact';
import { route } from '../router.js';
import { HomeScreen } from '../screens/HomeScreen.js';
import { ResumeOfferScreen, ResumingScreen } from '../screens/ResumeScreens.js';
import { WelcomeScreen } from '../screens/WelcomeScreen.js';
import { focusHeading, lazyScreen } from './lazyScreen.js';
import { phase } from '../store/chat.js';
import { freshRecoveryCode, session } from '../store/session.js';
import { Announcer } from './Announcer.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { MatchBanner } from './MatchBanner.js';
import { Notices } from './Notices.js';

// Each in a chunk of its own, fetched when first shown (the landing page needs none of them).
const ChatScreen = lazyScreen(() => import('../screens/ChatScreen.js').then((m) => m.ChatScreen));
const ConnectionsScreen = lazyScreen(() => import('../screens/ConnectionsScreen.js').then((m) => m.ConnectionsScreen));
const GoogleLandingScreen = lazyScreen(() => import('../screens/GoogleLandingScreen.js').then((m) => m.GoogleLandingScreen));
const ModerateScreen = lazyScreen(() => import('../screens/ModerateScreen.js').then((m) => m.ModerateScreen));
const PrivacyScreen = lazyScreen(() => import('../screens/PrivacyScreen.js').then((m) => m.PrivacyScreen));
const RecoveryCodeScreen = lazyScreen(() => import('../screens/RecoveryCodeScreen.js').then((m) => m.RecoveryCodeScreen));
const SearchingScreen = lazyScreen(() => import('../screens/SearchingScreen.js').then((m) => m.SearchingScreen));
const SettingsScreen = lazyScreen(() => import('../screens/SettingsScreen.js').then((m) => m.SettingsScreen));
const TermsScreen = lazyScreen(() => import('../screens/TermsScreen.js').then((m) => m.TermsScreen));
const ThreadScreen = lazyScreen(() => import('../screens/ThreadScreen.js').then((m) => m.ThreadScreen));

/** fullHeight: a chat screen, which fills the window (only its conversation scrolls) and has no footer. */
type Screen = { key: string; view: ComponentChild; fullHeight?: boolean };

function currentScreen(): Screen {
  const r = route.value;
  if (r.name === 'privacy') return { key: 'privacy', view: <PrivacyScreen /> };
  if (r.name === 'terms') return { key: 'terms', view: <TermsScreen /> };
  if (r.name === 'google') return { key: 'google', view: <GoogleLandingScreen /> };
  if (r.name === 'moderate') return { key: 'moderate', view: <ModerateScreen /> };
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
  if (p.kind === 'resuming') return { key: 'resuming', view: <ResumingScreen /> };
  if (p.kind === 'resumeOffer') return { key: 'resume-offer', view: <ResumeOfferScreen chatId={p.chatId} /> };
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
    focusHeading(main.current);
  }, [screen.key]);

  // Signed in, a match can come at any moment: have the searching and chat screens ready.
  const signedIn = !!session.value;
  useEffect(() => {
    if (!signedIn) return;
    const idle = setTimeout(() => {
      void SearchingScreen.preload().catch(() => undefined);
      void ChatScreen.preload().catch(() => undefined);
    }, 1000);
    return () => clearTimeout(idle);
  }, [signedIn]);

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
