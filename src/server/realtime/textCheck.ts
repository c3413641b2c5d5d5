/**
 * The text rule of `send` and `dm`: plain texts are 1–2000 characters; an
 * encrypted one (`send {e2e:true}`, `dm {sealed:true}`) must be a well-formed
 * envelope no longer than the ciphertext of 2000 characters (docs/encryption.md).
 * The server cannot count an encrypted text's characters; the receiving app does.
 */
import { CIPHERTEXT_TEXT_MAX, isChatEnvelope, isSealedEnvelope } from '../../shared/e2e.js';
import { LIMITS } from '../../shared/limits.js';
import { type ClientFrameOf, isTextTooLong } from '../../shared/protocol.js';

export type TextProblem = { code: 'too_long' | 'bad_request'; message: string };

export function checkText(frame: ClientFrameOf<'send'> | ClientFrameOf<'dm'>): TextProblem | undefined {
  const encrypted = frame.type === 'send' ? frame.e2e === true : frame.sealed === true;
  if (!encrypted) {
    return isTextTooLong(frame.text) ? { code: 'too_long', message: `Messages are at most ${LIMITS.textMax} characters.` } : undefined;
  }
  if (frame.text.length > CIPHERTEXT_TEXT_MAX) return { code: 'too_long', message: `Encrypted messages are at most ${CIPHERTEXT_TEXT_MAX} characters.` };
  const wellFormed = frame.type === 'send' ? isChatEnvelope(frame.text) : isSealedEnvelope(frame.text);
  return wellFormed ? undefined : { code: 'bad_request', message: 'That is not a well-formed encrypted message.' };
}
