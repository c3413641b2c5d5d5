/**
 * The text of a message someone sent you, with its Translate button when the
 * server has translation on and the message does not look like it is in the
 * reader's language already (languageGuess.ts). Pressing it sends that one message's text to be
 * translated; the translation then shows under the original (which stays) and
 * takes the button's place, so a message is translated at most once.
 *
 *   <span class="msg-text" id="received-N">original</span>
 *   <button class="msg-translate" aria-describedby="received-N" aria-busy>Translate</button>
 *     … or, once translated …
 *   <div class="msg-translation" tabindex="-1">
 *     <span class="msg-translation-label">Translated from Portuguese:</span>   ("Translated:" when the server does not say)
 *     <span class="msg-translation-text" lang="en">translation</span>
 *   </div>
 *
 * When the server answers that the message is already in the reader's
 * language (`from` = `to`, text unchanged), the div holds only the label
 * "Already in English: nothing to translate.". Languages are named in words.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { features } from '../store/features.js';
import { looksLikeLanguage } from '../languageGuess.js';
import { targetLanguage, translateMessage, translations } from '../store/translations.js';

let counter = 0;

/** A language tag we can safely put in `lang` (the server's answer, not trusted blindly). */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;
const langOf = (tag: string | null): string | undefined => (tag && LANGUAGE_TAG.test(tag) ? tag : undefined);

/** "es" → "Spanish" (in English, like the rest of the app); the tag itself when the browser has no name for it. */
function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/**
 * `undecryptable`: an encrypted message that did not open; its text is then the
 * app's own sentence, shown as a warning and never offered for translation.
 */
export function ReceivedText({ text, translationKey, undecryptable = false }: { text: string; translationKey: string; undecryptable?: boolean }) {
  const [textId] = useState(() => `received-${++counter}`);
  const state = translations.value[translationKey];
  const button = useRef<HTMLButtonElement>(null);
  const result = useRef<HTMLDivElement>(null);
  const moveFocus = useRef(false);
  const done = state?.status === 'done';
  // The translation is about to replace the button: if the button has the focus, the focus follows.
  // (Checked while rendering, before the button leaves the page and the browser forgets who had it.)
  if (done && button.current && document.activeElement === button.current) moveFocus.current = true;

  useEffect(() => {
    if (done && moveFocus.current) {
      moveFocus.current = false;
      result.current?.focus();
    }
  }, [done]);

  let after = null;
  if (state?.status === 'done') {
    // The server found it already in the reader's language and sent it back as it was.
    const same = state.from !== null && state.from === state.to && state.text === text;
    after = (
      <div class="msg-translation" ref={result} tabIndex={-1}>
        {same ? (
          <span class="msg-translation-label">Already in {languageName(state.to)}: nothing to translate.</span>
        ) : (
          <>
            <span class="msg-translation-label">{state.from ? `Translated from ${languageName(state.from)}:` : 'Translated:'}</span>{' '}
            <span class="msg-translation-text" lang={langOf(state.to)}>
              {state.text}
            </span>
          </>
        )}
      </div>
    );
  } else if (!undecryptable && features.value.translation && !looksLikeLanguage(text, targetLanguage())) {
    const busy = state?.status === 'busy';
    after = (
      <button
        type="button"
        class="msg-translate"
        aria-describedby={textId}
        aria-busy={busy ? 'true' : 'false'}
        ref={button}
        onClick={() => void translateMessage(translationKey, text)}
        title="Sends this message's text to the server to be translated"
      >
        Translate<span class="visually-hidden"> (sends this message's text to the server)</span>
      </button>
    );
  }

  return (
    <>
      <span class={undecryptable ? 'msg-text msg-undecryptable' : 'msg-text'} id={textId} lang={done ? langOf(state.from) : undefined}>
        {text}
      </span>
      {after}
    </>
  );
}
