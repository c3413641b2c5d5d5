/**
 * Is a received message already in the reader's language? A small guess made
 * on this device (nothing is sent to find out), from the most common words of
 * a few languages. It answers only when fairly sure; otherwise (short
 * messages, other languages) the message counts as possibly foreign and keeps
 * its Translate button.
 */

const COMMON: Record<string, string[]> = {
  en: ['the', 'and', 'you', 'is', 'are', 'what', 'how', 'this', 'that', 'with', 'have', 'not', 'was', 'for', 'it', 'my', 'your', 'do', 'i', 'to', 'of', 'in', 'me', 'just', 'like'],
  es: ['el', 'los', 'que', 'y', 'es', 'en', 'por', 'una', 'con', 'para', 'pero', 'yo', 'tú', 'estás', 'qué', 'cómo', 'muy', 'hola', 'gracias', 'mi', 'te', 'lo', 'está', 'soy', 'del'],
  fr: ['le', 'les', 'et', 'est', 'je', 'tu', 'vous', 'une', 'pas', 'avec', 'pour', 'que', 'qui', 'dans', 'mais', 'bonjour', 'merci', 'très', 'moi', 'suis', 'au', 'du', 'ce', 'ça', 'oui'],
  de: ['der', 'die', 'das', 'und', 'ist', 'ich', 'du', 'nicht', 'mit', 'ein', 'eine', 'zu', 'auf', 'für', 'wie', 'was', 'hallo', 'danke', 'sehr', 'aber', 'bin', 'auch', 'mein', 'dich', 'es'],
  pt: ['o', 'os', 'que', 'e', 'é', 'não', 'um', 'uma', 'com', 'para', 'você', 'eu', 'muito', 'olá', 'obrigado', 'obrigada', 'está', 'sou', 'meu', 'minha', 'mas', 'do', 'da', 'tudo', 'bem'],
  it: ['il', 'che', 'e', 'è', 'non', 'un', 'una', 'con', 'per', 'sono', 'io', 'tu', 'ciao', 'grazie', 'molto', 'come', 'stai', 'mi', 'ti', 'ma', 'della', 'questo', 'anche', 'bene', 'gli'],
};

const SETS = Object.fromEntries(Object.entries(COMMON).map(([lang, words]) => [lang, new Set(words)]));

/** Fewer words than this: too short to tell. */
const MIN_WORDS = 3;
/** At least this share of the words must be common words of the reader's language. */
const MIN_SHARE = 0.3;

/** "en-US" → "en". */
export function baseLanguage(tag: string): string {
  return tag.toLowerCase().split('-')[0] ?? '';
}

/** True only when the text is most likely written in `readerLanguage` (a BCP 47 tag). */
export function looksLikeLanguage(text: string, readerLanguage: string): boolean {
  const mine = SETS[baseLanguage(readerLanguage)];
  if (!mine) return false;
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < MIN_WORDS) return false;
  const hits = (set: Set<string>) => words.filter((w) => set.has(w)).length;
  const own = hits(mine);
  if (own / words.length < MIN_SHARE) return false;
  return Object.values(SETS).every((set) => set === mine || hits(set) < own);
}
