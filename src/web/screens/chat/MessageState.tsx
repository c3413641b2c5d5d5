/**
 * Where one of my messages is: sending (…), waiting for an away partner,
 * delivered (✓), or not sent with a Retry button while the chat goes on.
 */
import { retryMessage } from '../../store/chat.js';
import type { OwnLine } from '../../store/chatLines.js';

const SHOWN: Record<Exclude<OwnLine['state'], 'failed'>, { mark: string; words: string }> = {
  local: { mark: '…', words: 'sending' },
  sending: { mark: '…', words: 'sending' },
  waiting: { mark: 'Waiting', words: 'waiting for them to come back' },
  delivered: { mark: '✓', words: 'delivered' },
};

export function MessageState({ line, canRetry }: { line: OwnLine; canRetry: boolean }) {
  if (line.state === 'failed') {
    return (
      <span class="msg-state failed">
        Not sent
        {canRetry && (
          <>
            {' · '}
            <button type="button" class="link-button" onClick={() => retryMessage(line.id)}>
              Retry
            </button>
          </>
        )}
      </span>
    );
  }
  const shown = SHOWN[line.state];
  return (
    <span class={`msg-state ${line.state === 'local' ? 'sending' : line.state}`} title={shown.words}>
      {line.state === 'waiting' ? <span aria-hidden="true">{shown.mark}</span> : shown.mark}
      <span class="visually-hidden"> {shown.words}</span>
    </span>
  );
}
