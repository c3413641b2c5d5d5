/**
 * Translation on request (P11). The text goes to the language model and back;
 * it is never stored or logged. Text already in the reader's language is
 * returned as it is, without a call.
 */
import { eld } from 'eld/small';
import type { LanguageModel } from './languageModel.js';

export type Translation = { text: string; from: string | null; to: string };

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** "pt-BR" → "pt"; anything that is not a language tag → undefined. */
export function primaryLanguage(tag: string): string | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

export function detectLanguage(text: string): string | null {
  const result = eld.detect(text);
  return result.language && result.isReliable() ? result.language : null;
}

export class Translator {
  constructor(private readonly model: LanguageModel) {}

  async translate(text: string, to: string): Promise<Translation> {
    const from = detectLanguage(text);
    if (from === to) return { text, from, to };
    const name = languageNames.of(to) ?? to;
    const translated = await this.model.complete(
      [
        {
          role: 'system',
          content: `Translate the user's message into ${name} (${to}). Reply with the translation only, keeping emoji, names and tone. If it is already in ${name}, repeat it unchanged.`,
        },
        { role: 'user', content: text },
      ],
      { maxTokens: 1000 },
    );
    return { text: translated, from, to };
  }
}
