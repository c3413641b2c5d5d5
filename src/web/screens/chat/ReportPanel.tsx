/**
 * Report: pick a reason, add an optional note, send it to the moderators, and
 * move on: "Report and leave" (the default for most reasons) or "Report and
 * block" (the default for spam and illegal content). Once the chat has ended
 * the button is plain "Report".
 * "Attach the last messages" (off until ticked, with its consent sentence)
 * sends the last lines of this chat as shown here, listed before they go.
 */
import { useState } from 'preact/hooks';
import { useDialog } from '../../components/useDialog.js';
import { REPORT_REASONS, report, reportFrame, type AfterReport, type ChatSession, type ReportReason } from '../../store/chat.js';
import { attachableLines, lastMessages } from '../../store/reportAttachment.js';

const REASON_LABELS: Record<ReportReason, string> = {
  spam: 'Spam or advertising',
  harassment: 'Harassment or hate',
  underage: 'Seems to be under 18',
  illegal: 'Illegal content',
  other: 'Something else',
};

const NOTE_MAX = 500;

const DEFAULT_AFTER: Record<ReportReason, AfterReport> = {
  spam: 'block',
  harassment: 'leave',
  underage: 'leave',
  illegal: 'block',
  other: 'leave',
};

export function ReportPanel({ chat, onClose }: { chat: ChatSession; onClose(): void }) {
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [after, setAfter] = useState<AfterReport>('leave');
  const [attach, setAttach] = useState(false);
  const live = chat.ended === null;
  // An AI partner's report is not kept, so there is nothing to attach it to.
  const canAttach = !chat.partner.ai && attachableLines(chat.lines).length > 0;
  // Measured with the longest reason until one is picked, so the real frame is never larger.
  const attached = attach && canAttach ? lastMessages(reportFrame(chat.id, reason ?? 'harassment', note), chat.lines) : [];
  const { container, heading: title } = useDialog<HTMLElement, HTMLHeadingElement>(onClose);

  function submit(event: Event): void {
    event.preventDefault();
    if (!reason) {
      setProblem('Pick a reason first.');
      return;
    }
    report(reason, note, after, attached);
    onClose();
  }

  return (
    <section class="panel" role="dialog" aria-labelledby="report-title" ref={container}>
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
                  setAfter(DEFAULT_AFTER[r]);
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
        {canAttach && (
          <div class="field">
            <div class="choice">
              <input
                type="checkbox"
                id="report-attach"
                checked={attach}
                aria-describedby="report-attach-consent"
                onChange={(e) => setAttach(e.currentTarget.checked)}
              />
              <label for="report-attach">Attach the last messages</label>
              <p class="hint" id="report-attach-consent">
                They will reach the moderators unencrypted, so they can see what happened. They are deleted when the
                report is handled, or after 30 days.
              </p>
            </div>
            {attach && (
              <div class="attach-preview">
                <p id="report-attach-list">
                  {attached.length === 1 ? 'The last message will be attached:' : `The last ${attached.length} messages will be attached:`}
                </p>
                <ol class="attach-list" aria-labelledby="report-attach-list">
                  {attached.map((m, i) => (
                    <li key={i}>
                      <span class="attach-who">{m.from === 'me' ? 'You' : chat.partner.nickname}:</span> {m.text}
                    </li>
                  ))}
                </ol>
              </div>
            )}
          </div>
        )}
        {live && (
          <fieldset class="choices">
            <legend>Then</legend>
            <div class="choice">
              <input type="radio" id="report-then-leave" name="report-then" checked={after === 'leave'} onChange={() => setAfter('leave')} />
              <label for="report-then-leave">Leave the chat</label>
            </div>
            <div class="choice">
              <input type="radio" id="report-then-block" name="report-then" checked={after === 'block'} onChange={() => setAfter('block')} />
              <label for="report-then-block">Leave and block {chat.partner.nickname}</label>
            </div>
          </fieldset>
        )}
        {problem && (
          <p class="field-error" role="alert">
            {problem}
          </p>
        )}
        <div class="panel-actions">
          <button type="submit" class="primary">
            {!live ? 'Report' : after === 'block' ? 'Report and block' : 'Report and leave'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
