/**
 * The partner's connection dropped: the chat waits for them (docs/protocol.md,
 * "Resume after a dropped connection"). The sentence is announced once
 * (role="status"); the countdown beside it is for the eyes only, so a screen
 * reader is not told every second.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ChatSession } from '../../store/chat.js';

export function AwayBanner({ chat }: { chat: ChatSession }) {
  const away = chat.ended ? null : chat.partnerAway;
  return (
    <div class="away-banner" role="status">
      {away && (
        <p>
          {`${chat.partner.nickname}'s connection dropped. Waiting up to ${Math.round(away.graceMs / 1000)} s…`}{' '}
          <Countdown until={away.until} />
        </p>
      )}
    </div>
  );
}

function Countdown({ until }: { until: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  const left = Math.max(0, Math.ceil((until - now) / 1000));
  return (
    <span class="countdown" aria-hidden="true">
      {left} s left
    </span>
  );
}
