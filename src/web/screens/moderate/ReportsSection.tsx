/** Open reports, newest first (possible minors on top), each with what a moderator can do about it. */
import { StatusLine } from '../../components/StatusLine.js';
import { useAction } from '../../components/useAction.js';
import type { QueuedReport } from '../../moderatorApi.js';
import { decideReport, loadReports, queueOrder, reports, reportsNext, showHistory } from '../../store/moderation.js';
import { AttachedLines } from './AttachedLines.js';
import { people, REASONS, when } from './labels.js';

const DONE = { close: 'Report closed.', dismiss: 'Report dismissed.', unfounded: 'Report dismissed as unfounded.' } as const;

export function ReportsSection() {
  const { busy, status, run } = useAction();
  const list = queueOrder(reports.value);
  const decide = (id: string, decision: keyof typeof DONE) =>
    run(async () => {
      await decideReport(id, decision);
      return DONE[decision];
    });

  return (
    <section class="card" aria-labelledby="reports-title">
      <h2 id="reports-title">Open reports</h2>
      <div class="button-row">
        <button type="button" disabled={busy} onClick={() => void run(() => loadReports())}>
          Refresh
        </button>
      </div>
      {list.length === 0 ? (
        <p>No open reports.</p>
      ) : (
        <ul class="mod-list" aria-labelledby="reports-title">
          {list.map((report) => (
            <li key={report.id} class={report.reason === 'underage' ? 'mod-item mod-urgent' : 'mod-item'}>
              <ReportSummary report={report} />
              <AttachedLines report={report} where="queue" />
              <div class="button-row">
                <button type="button" disabled={busy} aria-describedby={`report-${report.id}`} onClick={() => void run(() => showHistory(report.reportedId))}>
                  Account history
                </button>
                <button type="button" disabled={busy} aria-describedby={`report-${report.id}`} onClick={() => void decide(report.id, 'close')}>
                  Close report
                </button>
                <button type="button" disabled={busy} aria-describedby={`report-${report.id}`} onClick={() => void decide(report.id, 'dismiss')}>
                  Dismiss
                </button>
                <button type="button" disabled={busy} aria-describedby={`report-${report.id}`} onClick={() => void decide(report.id, 'unfounded')}>
                  Mark unfounded
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {reportsNext.value && (
        <button type="button" disabled={busy} onClick={() => void run(() => loadReports(true))}>
          Show more reports
        </button>
      )}
      <StatusLine status={status} />
    </section>
  );
}

function ReportSummary({ report }: { report: QueuedReport }) {
  return (
    <div id={`report-${report.id}`}>
      <p>
        <strong>{REASONS[report.reason]}</strong> · {when(report.createdAt)} · account{' '}
        <code>{report.reportedId}</code> · <span class="mod-reporters">{people(report.reporters)}</span>
      </p>
      {report.note && <p class="mod-note">Note: {report.note}</p>}
    </div>
  );
}
