/**
 * Our own connection is down, or the chat is being asked back after it came
 * up again. Plain words that blame nobody: the server may be the one that went.
 */
import { resumePending, type ChatSession } from '../../store/chat.js';
import { socketStatus } from '../../store/realtime.js';

export function ReconnectingNotice({ chat }: { chat: ChatSession }) {
  const show = !chat.ended && (socketStatus.value !== 'ready' || resumePending.value === chat.id);
  return (
    <p class="reconnecting" role="status">
      {show ? 'Reconnecting… your chat is kept for a few seconds.' : ''}
    </p>
  );
}
