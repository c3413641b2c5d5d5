/**
 * A chat with a stranger: who they are, the conversation, the message box,
 * and the actions: Next (which asks "Really?" first, also as Escape, Escape),
 * Stop, Connect, and behind More: Reveal profile, Report, Block.
 * An action that needs a confirmation replaces the action bar with its panel,
 * so each button name appears once on screen. With an AI partner the header
 * says so in words, and Connect and Reveal profile are disabled.
 *
 * Focus: a closed panel gives it back to More; Connect (which then disables
 * itself) to the message box; the end of the chat to "Start chatting".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { requestConnect, startSearch, stop, type ChatSession } from '../store/chat.js';
import { BlockPanel } from './chat/BlockPanel.js';
import { ChatLog } from './chat/ChatLog.js';
import { Composer, focusMessageBox } from './chat/Composer.js';
import { MoreMenu } from './chat/MoreMenu.js';
import { ReportPanel } from './chat/ReportPanel.js';
import { RevealPanel } from './chat/RevealPanel.js';
import { useNextConfirm } from './chat/useNextConfirm.js';

type Panel = 'reveal' | 'report' | 'block' | null;

export function ChatScreen({ chat }: { chat: ChatSession }) {
  const [panel, setPanel] = useState<Panel>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const more = useRef<HTMLButtonElement>(null);
  const startChatting = useRef<HTMLButtonElement>(null);
  const next = useNextConfirm(chat);
  const ended = chat.ended !== null;
  const { partner } = chat;
  // An AI partner cannot become a connection nor see a profile (the server refuses both).
  const ai = partner.ai;

  function open(which: Exclude<Panel, null>): void {
    setMenuOpen(false);
    setPanel(which);
  }

  function closePanel(): void {
    setPanel(null);
    // After the re-render, once the action bar is back (a report or block may have ended the chat).
    setTimeout(() => (startChatting.current ?? more.current)?.focus());
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

  // Escape, Escape: Next, as on Omegle. Panels and the menu take their Escape first (and prevent it).
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.key !== 'Escape' || event.defaultPrevented || event.isComposing || ended) return;
      event.preventDefault();
      next.press();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  });

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
        <div class="actions" role="group" aria-label="Chat actions">
          <button type="button" class={next.armed ? 'danger next-armed' : 'next'} onClick={next.press}>
            {next.armed ? (
              <>
                Really?<span class="visually-hidden"> Press Next again to leave</span>
              </>
            ) : (
              'Next'
            )}
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
          <MoreMenu open={menuOpen} onToggle={setMenuOpen} button={more}>
            <button
              type="button"
              onClick={() => open('reveal')}
              disabled={ai || ended || chat.revealed}
              aria-describedby={ai ? 'ai-note' : undefined}
            >
              Reveal profile
            </button>
            <button type="button" onClick={() => open('report')} disabled={chat.reported}>
              Report
            </button>
            <button type="button" class="danger" onClick={() => open('block')} disabled={chat.blockedByMe}>
              Block
            </button>
          </MoreMenu>
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
