/**
 * A chat waiting to be taken back: after a reload (asked for by itself), or
 * one that another tab of this account dropped out of (the person chooses).
 */
import { continueChatHere, leaveWaitingChat } from '../store/chat.js';

export function ResumingScreen() {
  return (
    <div class="page narrow searching">
      <h1 class="visually-hidden" tabIndex={-1}>
        Back to your chat
      </h1>
      <div class="searching-status" role="status">
        <span class="spinner" aria-hidden="true" />
        <p>Taking you back to your chat…</p>
      </div>
    </div>
  );
}

export function ResumeOfferScreen({ chatId }: { chatId: string }) {
  return (
    <div class="page narrow">
      <h1 tabIndex={-1}>A chat is waiting for you</h1>
      <p>
        Another tab or device of yours lost its connection in the middle of a chat. Your partner is waiting a few seconds
        for you to come back.
      </p>
      <div class="actions">
        <button type="button" class="primary" onClick={() => continueChatHere(chatId)}>
          Go back to that chat here
        </button>
        <button type="button" onClick={() => leaveWaitingChat(chatId)}>
          End it and meet someone new
        </button>
      </div>
    </div>
  );
}
