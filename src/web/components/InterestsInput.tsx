/**
 * The Interests textbox: Enter or a comma turns the typed text into a
 * removable chip. Text still in the box when the form is sent counts too
 * (`interestsWithDraft`), so nobody loses the last one they typed.
 */
import { useState } from 'preact/hooks';
import { LIMITS } from '../../shared/limits.js';
import { normalizeInterest, normalizeInterests, type InterestsResult } from '../../shared/interests.js';

type Props = {
  id: string;
  interests: string[];
  draft: string;
  onChange(interests: string[]): void;
  onDraftChange(draft: string): void;
};

function splitDraft(draft: string): string[] {
  return draft
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** The chips plus whatever is still typed in the box, normalised and checked. */
export function interestsWithDraft(interests: string[], draft: string): InterestsResult {
  return normalizeInterests([...interests, ...splitDraft(draft)]);
}

export function InterestsInput({ id, interests, draft, onChange, onDraftChange }: Props) {
  const [problem, setProblem] = useState<string | null>(null);
  const hintId = `${id}-hint`;
  const problemId = `${id}-problem`;

  /** Adds the given texts as chips; returns what could not be added (kept in the box). */
  function commit(parts: string[]): string {
    let next = interests;
    for (let i = 0; i < parts.length; i++) {
      const interest = normalizeInterest(parts[i] ?? '');
      if (!interest) continue;
      if ([...interest].length > LIMITS.interestMax) {
        setProblem(`Each interest can be at most ${LIMITS.interestMax} characters.`);
        onChange(next);
        return parts.slice(i).join(', ');
      }
      if (next.includes(interest)) continue;
      if (next.length >= LIMITS.interestsMax) {
        setProblem(`You can add at most ${LIMITS.interestsMax} interests.`);
        onChange(next);
        return '';
      }
      next = [...next, interest];
    }
    setProblem(null);
    onChange(next);
    return '';
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (event.isComposing) return;
    if (event.key === 'Enter' || event.key === ',') {
      // Enter in an empty box submits the form as usual.
      if (event.key === 'Enter' && !draft.trim()) return;
      event.preventDefault();
      onDraftChange(commit(splitDraft(draft)));
    } else if (event.key === 'Backspace' && draft === '' && interests.length > 0) {
      onChange(interests.slice(0, -1));
    }
  }

  function onInput(event: Event): void {
    const value = (event.currentTarget as HTMLInputElement).value;
    // A pasted "music, films, chess": every finished part becomes a chip.
    if (value.includes(',')) {
      const parts = value.split(',');
      const rest = parts.pop() ?? '';
      const left = commit(parts);
      onDraftChange(left ? `${left}, ${rest.trimStart()}` : rest.trimStart());
    } else {
      onDraftChange(value);
    }
  }

  function remove(interest: string): void {
    onChange(interests.filter((i) => i !== interest));
    setProblem(null);
    document.getElementById(id)?.focus();
  }

  return (
    <div class="field">
      <label for={id}>Interests</label>
      <p class="hint" id={hintId}>
        Optional. Press Enter or type a comma after each one, e.g. music, films, chess.
      </p>
      <div class="chips-field">
        {interests.length > 0 && (
          <ul class="chips">
            {interests.map((interest) => (
              <li class="chip" key={interest}>
                <span>{interest}</span>
                <button
                  type="button"
                  class="chip-remove"
                  aria-label={`Remove ${interest}`}
                  onClick={() => remove(interest)}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <input
          id={id}
          type="text"
          value={draft}
          autocomplete="off"
          autocapitalize="none"
          enterkeyhint="enter"
          aria-describedby={problem ? `${hintId} ${problemId}` : hintId}
          aria-invalid={problem ? true : undefined}
          onKeyDown={onKeyDown}
          onInput={onInput}
        />
      </div>
      {problem && (
        <p class="field-error" id={problemId} role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
