/**
 * Translation on request (P11). The text goes to the language model and back;
 * it is never stored or logged. Text already in the reader's language is
 * returned as it is, without a call.
 */
import { outputTokens } from './aiBudget.js';
import type { LanguageModel } from './languageModel.js';

export type Translation = { text: string; from: string | null; to: string };

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** "pt-BR" → "pt"; anything that is not a language tag → undefined. */
export function primaryLanguage(tag: string): string | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

type Detect = (text: string) => string | null;

/**
 * The language detector's tables take ~30 MB of heap (more GC work for every
 * message relayed), so they are loaded only when translation is switched on,
 * and in their smallest build.
 */
export async function createTranslator(model: LanguageModel): Promise<Translator> {
  const { eld } = await import('eld/extrasmall');
  return new Translator(model, (text) => {
    const result = eld.detect(text);
    return result.language && result.isReliable() ? result.language : null;
  });
}

export class Translator {
  constructor(
    private readonly model: LanguageModel,
    private readonly detect: Detect,
  ) {}

  async translate(text: string, to: string): Promise<Translation> {
    const from = this.detect(text);
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
      // A translation is about as long as its source; scripts differ in characters per token, hence the margin.
      { maxTokens: outputTokens(text.length, 1.5, 64, 2048) },
    );
    return { text: translated, from, to };
  }
}
