/**
 * Translation on request (P11). The text goes to the language model and back;
 * it is never stored or logged. Text already in the reader's language is
 * returned as it is, without a call.
 */
import { outputTokens } from './aiBudget.js';
import { LanguageDetector } from './detectorThread.js';
import type { LanguageModel } from './languageModel.js';

export type Translation = { text: string; from: string | null; to: string };

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** "pt-BR" → "pt"; anything that is not a language tag → undefined. */
export function primaryLanguage(tag: string): string | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

type Detect = (text: string) => Promise<string | null>;

/**
 * The language detector runs on a thread of its own (detectorThread.ts): its
 * tables (~28 MB) stay off the relay's heap, and it starts only when
 * translation is switched on.
 */
export function createTranslator(model: LanguageModel): { translator: Translator; close(): Promise<void> } {
  const detector = new LanguageDetector();
  return { translator: new Translator(model, (text) => detector.detect(text)), close: () => detector.close() };
}

export class Translator {
  constructor(
    private readonly model: LanguageModel,
    private readonly detect: Detect,
  ) {}

  async translate(text: string, to: string): Promise<Translation> {
    const from = await this.detect(text);
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
