/**
 * A match that comes while the person is elsewhere (Settings, Connections, a
 * policy page) does not pull them away from what they were doing: this
 * banner says so and offers "Go to chat".
 */
import { href, route } from '../router.js';
import { phase } from '../store/chat.js';

export function MatchBanner() {
  const p = phase.value;
  if (p.kind !== 'chat' || p.chat.ended || route.value.name === 'chat') return null;
  return (
    <div class="match-banner" role="region" aria-label="New chat">
      <p>You are chatting with {p.chat.partner.nickname}.</p>
      <a class="button primary" href={href.chat}>
        Go to chat
      </a>
    </div>
  );
}
