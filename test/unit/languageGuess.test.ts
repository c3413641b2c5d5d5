import { describe, expect, it } from 'vitest';
import { baseLanguage, looksLikeLanguage } from '../../src/web/languageGuess.js';

describe('looksLikeLanguage (whether Translate is worth offering)', () => {
  it('recognises a message in the reader language', () => {
    expect(looksLikeLanguage('What do you like to do on the weekend?', 'en-US')).toBe(true);
    expect(looksLikeLanguage('Hola, ¿qué tal? Yo estoy muy bien, gracias', 'es')).toBe(true);
    expect(looksLikeLanguage('Ich bin heute sehr müde, und du?', 'de-AT')).toBe(true);
  });

  it('does not claim a message in another language', () => {
    expect(looksLikeLanguage('Hola, ¿qué tal? Yo estoy muy bien, gracias', 'en-US')).toBe(false);
    expect(looksLikeLanguage('Olá, tudo bem com você? Eu sou do Brasil', 'es')).toBe(false);
    expect(looksLikeLanguage('What do you like to do on the weekend?', 'fr')).toBe(false);
    expect(looksLikeLanguage('Привет, как у тебя дела сегодня?', 'en')).toBe(false);
  });

  it('stays unsure (so Translate stays) for short messages and languages it does not know', () => {
    expect(looksLikeLanguage('hi there', 'en')).toBe(false);
    expect(looksLikeLanguage('lol', 'en')).toBe(false);
    expect(looksLikeLanguage('Как у тебя дела сегодня вечером?', 'ru')).toBe(false);
  });

  it('takes the base of a language tag', () => {
    expect(baseLanguage('pt-BR')).toBe('pt');
    expect(baseLanguage('EN')).toBe('en');
  });
});
