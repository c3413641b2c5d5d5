/**
 * One conversation with a connection, like a messenger: the history kept on
 * this device, a time on every message, Delivered / Read on one's own.
 * Waiting offline messages and live ones show here; once on screen they are
 * read (deleted on the server, and a read receipt goes to the other side).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '../../shared/limits.js';
import { MessageTime } from '../components/MessageTime.js';
import { ReceivedText } from '../components/ReceivedText.js';
import { href } from '../router.js';
import { connectionById, connectionsLoaded, lineKey, markThreadRead, openThread, sendDm, threads, type DmLine } from '../store/connections.js';
import { ConnectionMenu } from './ConnectionMenu.js';
import { dmMessageKey } from '../store/translations.js';

export function ThreadScreen({ connectionId }: { connectionId: string }) {
  const connection = connectionById(connectionId);
  const lines = threads.value[connectionId] ?? [];
  const log = useRef<HTMLDivElement>(null);

  useEffect(() => {
    openThread.value = connectionId;
    markThreadRead(connectionId);
    return () => {
      if (openThread.value === connectionId) openThread.value = null;
    };
  }, [connectionId]);

  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);

  if (!connection) {
    return (
      <div class="page narrow">
        <h1 tabIndex={-1}>Connection</h1>
        <p role="status">{connectionsLoaded.value ? 'This connection no longer exists.' : 'Loading…'}</p>
        <p>
          <a href={href.connections}>Back to the list</a>
        </p>
      </div>
    );
  }

  return (
    <div class="chat thread">
      <div class="chat-head">
        <p>
          <a href={href.connections}>← Back to the list</a>
        </p>
        <h1 class="partner" tabIndex={-1}>
          <span class={`dot ${connection.online ? 'online' : 'offline'}`} aria-hidden="true" />
          <span class="partner-name">{connection.nickname}</span>
        </h1>
        <p class="common" role="status">
          {connection.online ? 'Online now' : 'Offline: your messages wait for them until they read them.'}
        </p>
        <ConnectionMenu connectionId={connectionId} nickname={connection.nickname} />
      </div>
      <div class="log" role="log" aria-live="polite" aria-label={`Conversation with ${connection.nickname}`} ref={log} tabIndex={0}>
        {lines.length === 0 && (
          <div class="line-event">No messages yet. The server keeps a message only until it is read; this conversation stays on this device until you log out.</div>
        )}
        <ol class="dm-list">
          {lines.map((line) => (
            <DmItem key={lineKey(line)} line={line} nickname={connection.nickname} connectionId={connectionId} />
          ))}
        </ol>
      </div>
      <DmComposer connectionId={connectionId} />
    </div>
  );
}

const OWN_STATE: Record<Extract<DmLine, { from: 'me' }>['state'], string> = {
  sending: 'Sending…',
  delivered: 'Delivered',
  stored: 'Waiting: they are offline, it will be delivered when they come back.',
  read: 'Read',
};

function DmItem({ line, nickname, connectionId }: { line: DmLine; nickname: string; connectionId: string }) {
  if (line.from === 'them') {
    return (
      <li class="msg msg-partner">
        <span class="visually-hidden">{nickname}: </span>
        <ReceivedText text={line.text} translationKey={dmMessageKey(connectionId, line.id)} undecryptable={line.undecryptable === true} />
        <span class="msg-meta">
          <MessageTime at={line.at} />
        </span>
      </li>
    );
  }
  return (
    <li class="msg msg-own">
      <span class="visually-hidden">You: </span>
      <span class="msg-text">{line.text}</span>
      <span class="msg-meta">
        <MessageTime at={line.at} />
        <span class={`msg-state ${line.state}`}>{OWN_STATE[line.state]}</span>
      </span>
    </li>
  );
}

function DmComposer({ connectionId }: { connectionId: string }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);

  function submit(event?: Event): void {
    event?.preventDefault();
    const error = sendDm(connectionId, text);
    setProblem(error);
    if (!error) setText('');
    box.current?.focus();
  }

  return (
    <form class="composer" onSubmit={submit}>
      <label for="dm-message" class="visually-hidden">
        Message
      </label>
      <textarea
        id="dm-message"
        ref={box}
        rows={1}
        value={text}
        maxLength={LIMITS.textMax * 2}
        placeholder="Type a message"
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" class="primary">
        Send
      </button>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
