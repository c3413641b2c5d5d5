/** The audit log: every moderator action and automatic suspension, newest first. No IPs, no moderator names. */
import { StatusLine } from '../../components/StatusLine.js';
import { useAction } from '../../components/useAction.js';
import { auditEntries, auditNext, loadAudit } from '../../store/moderation.js';
import { actionText, when } from './labels.js';

export function AuditSection() {
  const { busy, status, run } = useAction();
  const entries = auditEntries.value;
  return (
    <section class="card" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <div class="button-row">
        <button type="button" disabled={busy} onClick={() => void run(() => loadAudit())}>
          Refresh the audit log
        </button>
      </div>
      {entries.length === 0 ? (
        <p>Nothing yet.</p>
      ) : (
        // Focusable, so a table wider than a phone can be scrolled from the keyboard.
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Audit log entries">
          <table class="mod-audit">
            <caption class="visually-hidden">Moderation actions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">By</th>
                <th scope="col">Account</th>
                <th scope="col">Report</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.at)}</td>
                  <td>{actionText(e)}</td>
                  <td>{e.actor === 'automatic' ? 'automatic (reports)' : 'a moderator'}</td>
                  <td>{e.accountId ? <code>{e.accountId}</code> : '—'}</td>
                  <td>{e.reportId ? <code>{e.reportId}</code> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {auditNext.value && (
        <button type="button" disabled={busy} onClick={() => void run(() => loadAudit(true))}>
          Show more entries
        </button>
      )}
      <StatusLine status={status} />
    </section>
  );
}
