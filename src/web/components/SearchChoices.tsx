/** The choices a search is made with, on the home and searching screens: where to look, and "Only people". */
import type { Region } from '../storage.js';
import { onlyPeople, region, setOnlyPeople, setRegion } from '../store/chat.js';
import { features } from '../store/features.js';

const REGIONS: { value: Region; label: string; hint: string }[] = [
  { value: 'anywhere', label: 'Anywhere', hint: 'Anyone in the world who shares your interests.' },
  { value: 'near', label: 'Near me', hint: 'Prefer people in your country, estimated from your connection.' },
];

/** `idPrefix` keeps ids unique per screen. */
export function RegionChoice({ idPrefix }: { idPrefix: string }) {
  return (
    <fieldset class="choices">
      <legend>Who to meet</legend>
      {REGIONS.map((r) => (
        <div class="choice" key={r.value}>
          <input
            type="radio"
            id={`${idPrefix}-${r.value}`}
            name={idPrefix}
            value={r.value}
            checked={region.value === r.value}
            onChange={() => setRegion(r.value)}
            aria-describedby={`${idPrefix}-${r.value}-hint`}
          />
          <label for={`${idPrefix}-${r.value}`}>{r.label}</label>
          <p class="hint" id={`${idPrefix}-${r.value}-hint`}>
            {r.hint}
          </p>
        </div>
      ))}
    </fieldset>
  );
}

/** Shown only when this server has AI partners. */
export function OnlyPeopleChoice({ aiAfterMs }: { aiAfterMs: number | null }) {
  if (!features.value.ai) return null;
  const seconds = aiAfterMs === null ? null : Math.round(aiAfterMs / 1000);
  return (
    <div class="choice only-people">
      <input
        type="checkbox"
        id="only-people"
        checked={onlyPeople.value}
        onChange={(e) => setOnlyPeople(e.currentTarget.checked)}
        aria-describedby="only-people-hint"
      />
      <label for="only-people">Only people</label>
      <p class="hint" id="only-people-hint">
        {onlyPeople.value
          ? 'No AI partner will join: you wait for a person, however long it takes.'
          : `If nobody is found${seconds ? ` within about ${seconds} seconds` : ' soon'}, an AI partner may join. It is always labelled AI.`}
      </p>
    </div>
  );
}
