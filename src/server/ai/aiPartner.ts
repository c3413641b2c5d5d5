/**
 * An AI chat partner (P11): it sits in a chat like a person would, always
 * labelled `ai: true`. What the person writes goes to the language model with
 * the last few turns of this chat, kept in memory only and dropped when the
 * chat ends.
 */
import type { ClientFrameOf, ServerFrame } from '../../shared/protocol.js';
import { newId } from '../domain/secrets.js';
import { type Peer, Seat } from '../domain/chat.js';
import { outputTokens } from './aiBudget.js';
import type { ChatTurn, LanguageModel } from './languageModel.js';

const NICKNAMES = ['Nova', 'Echo', 'Pixel', 'Orbit', 'Juniper', 'Sage'] as const;
/** Turns of the conversation sent with each request; older ones are forgotten. */
const HISTORY_TURNS = 16;
/** An AI partner's made-up account id: never one of a real account. */
const AI_ACCOUNT_PREFIX = 'ai:';

/** What an AI partner does in its chat, through the lobby like a person's frames. */
export interface AiChatActions {
  send(seat: Seat, frame: ClientFrameOf<'send'>): void;
  typing(seat: Seat, frame: ClientFrameOf<'typing'>): void;
  /** Sends a frame to the other side of the chat (the AI reports trouble this way). */
  tellPartner(seat: Seat, chatId: string, frame: ServerFrame): void;
}

function systemPrompt(nickname: string, interests: readonly string[]): string {
  const shared = interests.length > 0 ? ` They like: ${interests.join(', ')}.` : '';
  return [
    `You are ${nickname}, an AI chat partner on METSONY, an anonymous chat service for adults.`,
    'You are an AI and say so whenever asked; never claim to be human.',
    `Chat casually and kindly, in the language the person writes in, in one to three short sentences.${shared}`,
    'Never ask for or encourage sharing personal data (real name, address, phone, social media, photos).',
    'Refuse sexual content, and anything illegal or harmful.',
  ].join(' ');
}

/** The AI's side of one chat. */
class AiPeer implements Peer {
  readonly kind = 'ai';
  private readonly history: ChatTurn[] = [];
  private pending = false;
  private waiting = false;
  private ended = false;
  seat!: Seat;

  constructor(
    private readonly lobby: AiChatActions,
    private readonly model: LanguageModel,
    private readonly system: string,
  ) {}

  send(frame: ServerFrame): void {
    if (frame.type === 'message') {
      this.history.push({ role: 'user', content: frame.text });
      this.trim();
      void this.reply(frame.chatId);
    } else if (frame.type === 'ended') {
      this.ended = true;
      this.history.length = 0;
    }
  }

  /** One request at a time; messages that arrive meanwhile are answered together. */
  private async reply(chatId: string): Promise<void> {
    if (this.pending) {
      this.waiting = true;
      return;
    }
    this.pending = true;
    try {
      this.lobby.typing(this.seat, { type: 'typing', chatId, typing: true });
      const maxTokens = outputTokens(this.unanswered(), 1, 40, 200);
      const text = await this.model.complete([{ role: 'system', content: this.system }, ...this.history], { maxTokens });
      if (this.ended) return;
      this.history.push({ role: 'assistant', content: text });
      this.trim();
      this.lobby.send(this.seat, { type: 'send', chatId, id: newId(), text: text.slice(0, 2000) });
    } catch {
      if (this.ended) return;
      this.lobby.typing(this.seat, { type: 'typing', chatId, typing: false });
      this.lobby.tellPartner(this.seat, chatId, {
        type: 'error',
        code: 'ai_unavailable',
        message: 'The AI partner could not answer just now; try again, or press Next.',
      });
    } finally {
      this.pending = false;
      if (this.waiting && !this.ended) {
        this.waiting = false;
        void this.reply(chatId);
      }
    }
  }

  /** Characters the person wrote since the AI last answered: a short line gets a short answer. */
  private unanswered(): number {
    let chars = 0;
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.role === 'user'; i--) chars += this.history[i]!.content.length;
    return chars;
  }

  private trim(): void {
    if (this.history.length > HISTORY_TURNS) this.history.splice(0, this.history.length - HISTORY_TURNS);
  }
}

/** Makes the AI side of a new chat for a person who has waited long enough. */
export function aiPartnerFactory(model: LanguageModel) {
  return (lobby: AiChatActions, interests: readonly string[]): Seat => {
    const nickname = NICKNAMES[Math.floor(Math.random() * NICKNAMES.length)]!;
    const peer = new AiPeer(lobby, model, systemPrompt(nickname, interests));
    const seat = new Seat(newId(), { id: `${AI_ACCOUNT_PREFIX}${newId()}`, nickname, interests: [...interests] }, undefined, peer);
    peer.seat = seat;
    return seat;
  };
}
