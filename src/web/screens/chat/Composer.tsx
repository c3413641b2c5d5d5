/**
 * The Message box and Send. Enter sends, Shift+Enter starts a new line.
 * Typing notices go to the partner, throttled by the chat store.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '../../../shared/limits.js';
import { noteTyping, sendMessage, type ChatSession } from '../../store/chat.js';
import { loadDraft, saveDraft } from '../../tabMemory.js';

export function Composer({ chat }: { chat: ChatSession }) {
  // What was typed before a reload is still there (this tab only).
  const [text, setTextState] = useState(() => loadDraft(chat.id));
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const ended = chat.ended !== null;

  function setText(value: string): void {
    setTextState(value);
    saveDraft(chat.id, value);
  }

  // A new chat: the cursor goes straight to the message box.
  useEffect(() => {
    box.current?.focus();
  }, [chat.id]);

  function submit(event?: Event): void {
    event?.preventDefault();
    const error = sendMessage(text);
    setProblem(error);
    if (!error) setText('');
    box.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form class="composer" onSubmit={submit}>
      <label for="chat-message" class="visually-hidden">
        Message
      </label>
      <textarea
        id="chat-message"
        ref={box}
        rows={1}
        value={text}
        maxLength={LIMITS.textMax * 2}
        placeholder={ended ? 'This chat has ended' : 'Type a message'}
        disabled={ended}
        aria-describedby={problem ? 'chat-message-problem' : undefined}
        onKeyDown={onKeyDown}
        onInput={(e) => {
          setText(e.currentTarget.value);
          noteTyping();
        }}
      />
      <button type="submit" class="primary" disabled={ended}>
        Send
      </button>
      {problem && (
        <p class="field-error" id="chat-message-problem" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
