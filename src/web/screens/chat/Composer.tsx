/**
 * The Message box and Send. Enter sends, Shift+Enter starts a new line.
 * Typing notices go to the partner, throttled by the chat store. Past
 * COUNTER_FROM characters a counter shows how many are left; a problem
 * (too long) goes away as soon as the text is edited.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '../../../shared/limits.js';
import { noteTyping, sendMessage, type ChatSession } from '../../store/chat.js';
import { loadDraft, saveDraft } from '../../tabMemory.js';

/** The counter shows from this many characters on. */
const COUNTER_FROM = 1800;
const MESSAGE_BOX_ID = 'chat-message';

/** Puts the cursor in the message box (after an action that took the focus). */
export function focusMessageBox(): void {
  document.getElementById(MESSAGE_BOX_ID)?.focus();
}

export function Composer({ chat }: { chat: ChatSession }) {
  // What was typed before a reload is still there (this tab only).
  const [text, setTextState] = useState(() => loadDraft(chat.id));
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const ended = chat.ended !== null;
  const length = [...text].length;
  const counting = length >= COUNTER_FROM && !ended;
  const over = length > LIMITS.textMax;
  const describedBy = [problem && 'chat-message-problem', counting && 'chat-message-count'].filter(Boolean).join(' ');

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
        id={MESSAGE_BOX_ID}
        ref={box}
        rows={1}
        value={text}
        maxLength={LIMITS.textMax * 2}
        placeholder={ended ? 'This chat has ended' : 'Type a message'}
        disabled={ended}
        aria-describedby={describedBy || undefined}
        aria-invalid={over ? 'true' : undefined}
        onKeyDown={onKeyDown}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setProblem(null);
          noteTyping();
        }}
      />
      <button type="submit" class="primary" disabled={ended}>
        Send
      </button>
      {counting && (
        <p class={over ? 'composer-count over' : 'composer-count'} id="chat-message-count">
          {over
            ? `${(length - LIMITS.textMax).toLocaleString('en')} characters too many`
            : `${(LIMITS.textMax - length).toLocaleString('en')} characters left`}
        </p>
      )}
      {problem && (
        <p class="field-error" id="chat-message-problem" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
