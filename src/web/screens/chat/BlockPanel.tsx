/** Block: confirm, then end the chat; the two are never matched again. */
import { useDialog } from '../../components/useDialog.js';
import { block, type ChatSession } from '../../store/chat.js';

export function BlockPanel({ chat, onClose }: { chat: ChatSession; onClose(): void }) {
  const { container, heading: title } = useDialog<HTMLElement, HTMLHeadingElement>(onClose);
  return (
    <section class="panel" role="dialog" aria-labelledby="block-title" aria-describedby="block-what" ref={container}>
      <h2 id="block-title" ref={title} tabIndex={-1}>Block {chat.partner.nickname}?</h2>
      <p id="block-what">
        {chat.ended ? 'You' : 'The chat ends now and you'} will never be matched with them again.
      </p>
      <div class="panel-actions">
        <button
          type="button"
          class="danger"
          onClick={() => {
            block();
            onClose();
          }}
        >
          Block
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </section>
  );
}
