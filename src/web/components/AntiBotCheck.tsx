/**
 * The anti-bot check on the Welcome forms: proof of work solved in the
 * background as soon as the form shows (store/proof.ts), said in plain words
 * in a polite live region, with a button to try again if it fails; or, when
 * the server uses Cloudflare Turnstile, its widget.
 */
import { useEffect, useRef } from 'preact/hooks';
import { features } from '../store/features.js';
import { prepareProof, proofState, setTurnstileToken } from '../store/proof.js';

export function AntiBotCheck() {
  const turnstile = features.value.challenge === 'turnstile' ? features.value.turnstileSiteKey : undefined;
  useEffect(() => {
    if (!turnstile) prepareProof();
  }, [turnstile]);
  if (turnstile) return <TurnstileWidget siteKey={turnstile} />;
  const state = proofState.value;
  return (
    <div class="antibot">
      <p class="hint" role="status" id="antibot-status">
        {state.phase === 'solving' && 'Anti-bot check: working in the background (no cookies, nothing about you is sent)…'}
        {state.phase === 'ready' && `Anti-bot check done in ${(state.ms / 1000).toFixed(1)} s.`}
        {state.phase === 'failed' && 'The anti-bot check could not finish.'}
      </p>
      {state.phase === 'failed' && (
        <button type="button" class="link" onClick={() => prepareProof()}>
          Try the anti-bot check again
        </button>
      )}
    </div>
  );
}

type TurnstileApi = { render(el: HTMLElement, options: Record<string, unknown>): string; remove(id: string): void };
declare global {
  interface Window {
    turnstile?: TurnstileApi;
  }
}

const TURNSTILE_SCRIPT = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit';
let scriptLoaded: Promise<void> | undefined;

function loadTurnstile(): Promise<void> {
  return (scriptLoaded ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = TURNSTILE_SCRIPT;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => {
      scriptLoaded = undefined;
      reject(new Error('Turnstile did not load'));
    };
    document.head.appendChild(script);
  }));
}

function TurnstileWidget({ siteKey }: { siteKey: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let id: string | undefined;
    let gone = false;
    loadTurnstile()
      .then(() => {
        if (gone || !box.current || !window.turnstile) return;
        id = window.turnstile.render(box.current, {
          sitekey: siteKey,
          callback: (token: string) => setTurnstileToken(token),
          'expired-callback': () => setTurnstileToken(null),
          'error-callback': () => setTurnstileToken(null),
        });
      })
      .catch(() => setTurnstileToken(null));
    return () => {
      gone = true;
      if (id) window.turnstile?.remove(id);
    };
  }, [siteKey]);
  return <div class="antibot" ref={box} aria-label="Anti-bot check (Cloudflare Turnstile)" role="group" />;
}
