/** Report: pick a reason, add an optional note, send it to the moderators. */
import { useState } from 'preact/hooks';
import { closeOnEscape, useAutoFocus } from '../../components/useAutoFocus.js';
import { REPORT_REASONS, report, type ChatSession, type ReportReason } from '../../store/chat.js';

const REASON_LABELS: Record<ReportReason, string> = {
  spam: 'Spam or advertising',
  harassment: 'Harassment or hate',
  underage: 'Seems to be under 18',
  illegal: 'Illegal content',
  other: 'Something else',
};

const NOTE_MAX = 500;

export function ReportPanel({ chat, onClose }: { chat: ChatSession; onClose(): void }) {
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const title = useAutoFocus<HTMLHeadingElement>();

  function submit(event: Event): void {
    event.preventDefault();
    if (!reason) {
      setProblem('Pick a reason first.');
      return;
    }
    report(reason, note);
    onClose();
  }

  return (
    <section class="panel" role="dialog" aria-labelledby="report-title" onKeyDown={closeOnEscape(onClose)}>
      <h2 id="report-title" ref={title} tabIndex={-1}>Report {chat.partner.nickname}</h2>
      <form onSubmit={submit} noValidate>
        <fieldset class="choices">
          <legend>What is wrong?</legend>
          {REPORT_REASONS.map((r) => (
            <div class="choice" key={r}>
              <input
                type="radio"
                id={`report-${r}`}
                name="report-reason"
                value={r}
                checked={reason === r}
                onChange={() => {
                  setReason(r);
                  setProblem(null);
                }}
              />
              <label for={`report-${r}`}>{REASON_LABELS[r]}</label>
            </div>
          ))}
        </fieldset>
        <div class="field">
          <label for="report-note">Note (optional)</label>
          <textarea id="report-note" rows={2} maxLength={NOTE_MAX} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          <p class="hint">Chats are not stored, so tell the moderators what happened in your own words.</p>
        </div>
        {problem && (
          <p class="field-error" role="alert">
            {problem}
          </p>
        )}
        <div class="panel-actions">
          <button type="submit" class="primary">
            Report
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
