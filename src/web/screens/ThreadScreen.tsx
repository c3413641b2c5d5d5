/**
 * One conversation with a connection. Waiting offline messages and live ones
 * show here; once on screen they are read (and deleted on the server).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '../../shared/limits.js';
import { ConfirmPanel } from '../components/ConfirmPanel.js';
import { ReceivedText } from '../components/ReceivedText.js';
import { href, navigate } from '../router.js';
import {
  connectionById,
  connectionsLoaded,
  lineKey,
  markThreadRead,
  openThread,
  removeConnection,
  sendDm,
  threads,
  type DmLine,
} from '../store/connections.js';
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
      </div>
      <div class="log" role="log" aria-live="polite" aria-label={`Conversation with ${connection.nickname}`} ref={log} tabIndex={0}>
        {lines.length === 0 && <div class="line-event">No messages yet. They are kept only until read, and on this page only while it is open.</div>}
        {lines.map((line) => (
          <DmItem key={lineKey(line)} line={line} nickname={connection.nickname} connectionId={connectionId} />
        ))}
      </div>
      <DmComposer connectionId={connectionId} />
      <RemoveConnection connectionId={connectionId} nickname={connection.nickname} />
    </div>
  );
}

function DmItem({ line, nickname, connectionId }: { line: DmLine; nickname: string; connectionId: string }) {
  if (line.from === 'them') {
    return (
      <div class="msg msg-partner">
        <span class="visually-hidden">{nickname}: </span>
        <ReceivedText text={line.text} translationKey={dmMessageKey(connectionId, line.id)} />
      </div>
    );
  }
  return (
    <div class="msg msg-own">
      <span class="visually-hidden">You: </span>
      <span class="msg-text">{line.text}</span>
      {line.state === 'stored' ? (
        <span class="msg-note">They are offline: it will be delivered when they come back.</span>
      ) : (
        <span class={`msg-state ${line.state}`} title={line.state === 'delivered' ? 'Delivered' : 'Sending'}>
          {line.state === 'delivered' ? '✓' : '…'}
          <span class="visually-hidden">{line.state === 'delivered' ? ' delivered' : ' sending'}</span>
        </span>
      )}
    </div>
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

function RemoveConnection({ connectionId, nickname }: { connectionId: string; nickname: string }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  async function remove(): Promise<void> {
    setBusy(true);
    if (await removeConnection(connectionId)) navigate(href.connections);
    else setBusy(false);
  }

  if (!confirming) {
    return (
      <div class="actions">
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Remove connection
        </button>
      </div>
    );
  }
  return (
    <ConfirmPanel id="remove" title={`Remove ${nickname} from your connections?`} onCancel={() => setConfirming(false)}>
      <p>It is gone for both of you, with any messages still waiting between you.</p>
      <div class="panel-actions">
        <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
          Remove connection
        </button>
        <button type="button" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
    </ConfirmPanel>
  );
}
