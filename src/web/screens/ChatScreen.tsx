/**
 * A chat with a stranger: who they are, the conversation, the message box,
 * and the actions, all visible: Next, Stop and Connect, and under them in a
 * smaller row Reveal profile, Report and Block. Next leaves and searches on
 * one click; from the keyboard it is Escape, Escape (the first asks "Really?").
 * An action that needs a confirmation replaces the action bar with its panel,
 * so each button name appears once on screen. With an AI partner the header
 * says so in words, and Connect and Reveal profile are disabled.
 *
 * Focus: a closed panel gives it back to the button that opened it (or Next
 * when that one is now disabled); Connect (which then disables itself) to the
 * message box; the end of the chat to "Start chatting".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { requestConnect, startSearch, stop, type ChatSession } from '../store/chat.js';
import { AwayBanner } from './chat/AwayBanner.js';
import { BlockPanel } from './chat/BlockPanel.js';
import { ChatLog } from './chat/ChatLog.js';
import { Composer, focusMessageBox } from './chat/Composer.js';
import { ReconnectingNotice } from './chat/ReconnectingNotice.js';
import { ReportPanel } from './chat/ReportPanel.js';
import { RevealPanel } from './chat/RevealPanel.js';
import { useEscapeNext } from './chat/useEscapeNext.js';

type Panel = 'reveal' | 'report' | 'block' | null;

export function ChatScreen({ chat }: { chat: ChatSession }) {
  const [panel, setPanel] = useState<Panel>(null);
  const actions = useRef<HTMLDivElement>(null);
  const startChatting = useRef<HTMLButtonElement>(null);
  const escapeArmed = useEscapeNext(chat);
  const ended = chat.ended !== null;
  const { partner } = chat;
  // An AI partner cannot become a connection nor see a profile (the server refuses both).
  const ai = partner.ai;

  function closePanel(): void {
    const opener = panel;
    setPanel(null);
    // After the re-render, once the action bar is back (a report or block may have ended the chat).
    setTimeout(() => {
      const back = actions.current?.querySelector<HTMLButtonElement>(`button[data-panel="${opener}"]:not([disabled])`);
      (startChatting.current ?? back ?? actions.current?.querySelector<HTMLButtonElement>('button'))?.focus();
    });
  }

  // A block ends the chat at once; its panel has nothing left to do.
  useEffect(() => {
    if (chat.blockedByMe) setPanel(null);
  }, [chat.blockedByMe]);

  // The chat ended (partner left, Stop, Report and leave…): "Start chatting" takes the focus,
  // unless the person is busy in a panel or elsewhere on the page.
  useEffect(() => {
    if (!ended) return;
    const active = document.activeElement;
    const lost = !active || active === document.body || active.closest('.composer, .actions');
    if (lost) startChatting.current?.focus();
  }, [ended]);

  return (
    <div class="chat">
      <div class="chat-head">
        <h1 class="partner" tabIndex={-1}>
          <span class="partner-name">{partner.nickname}</span>
          {partner.ai && (
            <span class="badge badge-ai" title="An AI conversation partner, not a person">
              AI
            </span>
          )}
        </h1>
        {partner.ai && (
          <p class="ai-note" id="ai-note">
            You are chatting with an AI, not a person. Messages in this chat are sent to the AI provider.
          </p>
        )}
        <p class="common">
          {partner.commonInterests.length > 0
            ? `You both like: ${partner.commonInterests.join(', ')}`
            : 'No shared interests this time.'}
        </p>
        <ConnectStatus chat={chat} />
        {/* Under the name, as in messengers: on a short screen it shares the name's line. */}
        <p class="typing" aria-live="polite">
          {chat.partnerTyping && !ended ? `${partner.nickname} is typing…` : ''}
        </p>
      </div>

      <div class="chat-notices">
        <ReconnectingNotice chat={chat} />
        <AwayBanner chat={chat} />
      </div>

      <ChatLog chat={chat} />

      {ended && (
        <div class="ended-actions">
          <p>Want to talk to someone else?</p>
          <button type="button" class="primary" ref={startChatting} onClick={startSearch}>
            Start chatting
          </button>
        </div>
      )}

      <Composer chat={chat} />

      {panel === 'reveal' && !ai && <RevealPanel chat={chat} onClose={closePanel} />}
      {panel === 'report' && <ReportPanel chat={chat} onClose={closePanel} />}
      {panel === 'block' && <BlockPanel chat={chat} onClose={closePanel} />}
      {panel === null && (
        <div class="actions" role="group" aria-label="Chat actions" ref={actions}>
          <div class="actions-main">
            <button type="button" class="primary" onClick={startSearch}>
              Next
            </button>
            <button type="button" onClick={stop}>
              Stop
            </button>
            <button
              type="button"
              onClick={() => {
                requestConnect();
                focusMessageBox();
              }}
              disabled={ai || ended || chat.connect === 'waiting' || chat.connect === 'connected'}
              aria-describedby={ai ? 'ai-note' : undefined}
            >
              Connect
            </button>
            {escapeArmed && <span class="next-hint">Really? Escape again to leave.</span>}
          </div>
          <div class="actions-more">
            <button
              type="button"
              data-panel="reveal"
              onClick={() => setPanel('reveal')}
              disabled={ai || ended || chat.revealed}
              aria-describedby={ai ? 'ai-note' : undefined}
            >
              Reveal profile
            </button>
            <button type="button" data-panel="report" onClick={() => setPanel('report')} disabled={chat.reported}>
              Report
            </button>
            <button type="button" data-panel="block" class="danger" onClick={() => setPanel('block')} disabled={chat.blockedByMe}>
              Block
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

function ConnectStatus({ chat }: { chat: ChatSession }) {
  let text = '';
  if (chat.connect === 'waiting') text = chat.ended ? '' : 'Waiting for them…';
  else if (chat.connect === 'asked' && !chat.ended) text = `${chat.partner.nickname} wants to connect. Press Connect to accept.`;
  else if (chat.connect === 'connected') text = 'Connected';
  return (
    <p class={`connect-status ${chat.connect}`} role="status">
      {text}
    </p>
  );
}
