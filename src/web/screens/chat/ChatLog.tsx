/**
 * The conversation, as a live region (role="log") so screen readers announce
 * new messages, holding a list: one item per message, with who sent it and
 * when. Text is rendered as text, never as HTML.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ChatLine, ChatSession } from '../../store/chat.js';
import { endedText } from '../../store/chat.js';
import { UNDECRYPTABLE_PROFILE } from '../../store/chatLines.js';
import { profileEntries } from '../../store/profile.js';
import { chatMessageKey } from '../../store/translations.js';
import { ReceivedText } from '../../components/ReceivedText.js';
import { EncryptionLine } from './EncryptionLine.js';
import { MessageState } from './MessageState.js';
import { ProfileList } from './ProfileList.js';

/** Within this many pixels of the bottom we follow new messages; further up, the reader is scrolling back. */
const STICK_TO_BOTTOM_PX = 80;

export function ChatLog({ chat }: { chat: ChatSession }) {
  const list = useRef<HTMLDivElement>(null);
  const nickname = chat.partner.nickname;
  // Measured while rendering, before the new lines reach the DOM: was the reader at the bottom?
  const el = list.current;
  const follow = !el || el.scrollHeight - el.scrollTop - el.clientHeight < STICK_TO_BOTTOM_PX;
  const last = chat.lines[chat.lines.length - 1];
  const ownLast = last?.kind === 'own' || (last?.kind === 'profile' && last.from === 'me');

  useLayoutEffect(() => {
    const node = list.current;
    if (node && (follow || ownLast)) node.scrollTop = node.scrollHeight;
  }, [chat.lines.length, chat.ended]);

  return (
    <div class="log" role="log" aria-live="polite" aria-label={`Conversation with ${chat.partner.nickname}`} ref={list} tabIndex={0}>
      <ol class="log-lines">
        <li class="line-event">
          {chat.partner.ai ? 'Your AI partner is here. Say hello!' : 'You are now chatting with a stranger. Say hello!'}
        </li>
        <EncryptionLine chat={chat} />
        {chat.lines.map((line) => (
          <Line key={`${line.kind}:${line.id}`} line={line} partner={nickname} chatId={chat.id} live={!chat.ended} />
        ))}
        {chat.ended && <li class="line-event line-ended">{endedText(chat)}</li>}
      </ol>
    </div>
  );
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** Sender and time, before the text: "You, 14:02:" (the name only for screen readers). */
function Meta({ who, at }: { who: string; at: number }) {
  const time = new Date(at);
  return (
    <span class="msg-meta">
      <span class="visually-hidden">{who}, </span>
      <time dateTime={time.toISOString()}>{clock.format(time)}</time>
      <span class="visually-hidden">: </span>
    </span>
  );
}

function Line({ line, partner, chatId, live }: { line: ChatLine; partner: string; chatId: string; live: boolean }) {
  switch (line.kind) {
    case 'own':
      return (
        <li class="msg msg-own">
          <Meta who="You" at={line.at} />
          <span class="msg-text">{line.text}</span>
          <MessageState line={line} canRetry={live} />
        </li>
      );
    case 'partner':
      return (
        <li class="msg msg-partner">
          <Meta who={partner} at={line.at} />
          <ReceivedText text={line.text} translationKey={chatMessageKey(chatId, line.id)} undecryptable={line.undecryptable === true} />
        </li>
      );
    case 'event':
      return <li class="line-event">{line.text}</li>;
    case 'profile': {
      if (line.profile === null) {
        return (
          <li class="profile-card from-partner">
            <p class="msg-undecryptable">{UNDECRYPTABLE_PROFILE}</p>
          </li>
        );
      }
      const entries = profileEntries(line.profile);
      return (
        <li class={`profile-card ${line.from === 'me' ? 'from-me' : 'from-partner'}`}>
          <p>{line.from === 'me' ? `You revealed your profile to ${partner}:` : `${partner} revealed their profile:`}</p>
          {entries.length > 0 ? (
            <ProfileList entries={entries} />
          ) : (
            <p>(nothing filled in)</p>
          )}
        </li>
      );
    }
  }
}
