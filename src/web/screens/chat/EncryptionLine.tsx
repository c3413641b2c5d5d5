/**
 * Whether this chat is end-to-end encrypted, said in words at the top of the
 * log (docs/encryption.md), with the safety code to compare when it is.
 * In the log rather than the header, so a phone keeps its room for the conversation.
 *
 *   <li class="line-event line-e2e e2e-on">End-to-end encrypted. Safety code: <strong class="safety-code">…</strong> …</li>
 */
import type { ChatSession } from '../../store/chat.js';

export function EncryptionLine({ chat }: { chat: ChatSession }) {
  const { encryption, partner } = chat;
  switch (encryption.status) {
    case 'pending':
      return <li class="line-event line-e2e e2e-pending">Setting up end-to-end encryption…</li>;
    case 'on':
      return (
        <li class="line-event line-e2e e2e-on">
          <span class="e2e-state">End-to-end encrypted.</span> Safety code:{' '}
          <strong class="safety-code">{encryption.safetyCode}</strong>. Compare it with {partner.nickname}'s: if the two codes
          differ, someone is between you and this chat is not private.
        </li>
      );
    case 'off': {
      const why =
        encryption.why === 'ai'
          ? 'an AI partner has to read your messages, so they are sent to the AI provider.'
          : encryption.why === 'no-key'
            ? `${partner.nickname}'s app did not offer a key, so the server can read this chat.`
            : 'this tab does not have the keys of this chat (another tab had it).';
      return (
        <li class="line-event line-e2e e2e-off">
          <span class="e2e-state">Not end-to-end encrypted:</span> {why}
        </li>
      );
    }
  }
}
