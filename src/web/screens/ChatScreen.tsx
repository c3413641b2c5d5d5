/**
 * A chat with a stranger: who they are, the conversation, the message box,
 * and the actions (Next, Stop, Connect, Reveal profile, Report, Block).
 * An action that needs a confirmation replaces the action bar with its panel,
 * so each button name appears once on screen. With an AI partner the header
 * says so in words, and Connect and Reveal profile are disabled.
 */
import { useEffect, useState } from 'preact/hooks';
import { requestConnect, startSearch, stop, type ChatSession } from '../store/chat.js';
import { AwayBanner } from './chat/AwayBanner.js';
import { BlockPanel } from './chat/BlockPanel.js';
import { ChatLog } from './chat/ChatLog.js';
import { Composer } from './chat/Composer.js';
import { ReconnectingNotice } from './chat/ReconnectingNotice.js';
import { ReportPanel } from './chat/ReportPanel.js';
import { RevealPanel } from './chat/RevealPanel.js';

type Panel = 'reveal' | 'report' | 'block' | null;

export function ChatScreen({ chat }: { chat: ChatSession }) {
  const [panel, setPanel] = useState<Panel>(null);
  const ended = chat.ended !== null;
  const { partner } = chat;
  // An AI partner cannot become a connection nor see a profile (the server refuses both).
  const ai = partner.ai;

  // A block ends the chat at once; its panel has nothing left to do.
  useEffect(() => {
    if (chat.blockedByMe) setPanel(null);
  }, [chat.blockedByMe]);

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
      </div>

      <div class="chat-notices">
        <ReconnectingNotice chat={chat} />
        <AwayBanner chat={chat} />
      </div>

      <ChatLog chat={chat} />

      <p class="typing" aria-live="polite">
        {chat.partnerTyping && !ended ? `${partner.nickname} is typing…` : ''}
      </p>

      {ended && (
        <div class="ended-actions">
          <p>Want to talk to someone else?</p>
          <button type="button" class="primary" onClick={startSearch}>
            Start chatting
          </button>
        </div>
      )}

      <Composer chat={chat} />

      {panel === 'reveal' && !ai && <RevealPanel chat={chat} onClose={() => setPanel(null)} />}
      {panel === 'report' && <ReportPanel chat={chat} onClose={() => setPanel(null)} />}
      {panel === 'block' && <BlockPanel chat={chat} onClose={() => setPanel(null)} />}
      {panel === null && (
        <div class="actions" role="group" aria-label="Chat actions">
          <button type="button" class="primary" onClick={startSearch}>
            Next
          </button>
          <button type="button" onClick={stop}>
            Stop
          </button>
          <button
            type="button"
            onClick={requestConnect}
            disabled={ai || ended || chat.connect === 'waiting' || chat.connect === 'connected'}
            aria-describedby={ai ? 'ai-note' : undefined}
          >
            Connect
          </button>
          <button
            type="button"
            onClick={() => setPanel('reveal')}
            disabled={ai || ended || chat.revealed}
            aria-describedby={ai ? 'ai-note' : undefined}
          >
            Reveal profile
          </button>
          <button type="button" onClick={() => setPanel('report')} disabled={chat.reported}>
            Report
          </button>
          <button type="button" class="danger" onClick={() => setPanel('block')} disabled={chat.blockedByMe}>
            Block
          </button>
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
