/** The messages a reporter attached to a report, in clear, each with who wrote it. */
import type { Report } from '../../moderatorApi.js';

/** `where`: the section it is shown in, so two sections showing one report keep their ids apart. */
export function AttachedLines({ report, where }: { report: Report; where: 'queue' | 'history' }) {
  if (!report.attached || report.attached.length === 0) return null;
  const title = `attached-${where}-${report.id}`;
  return (
    <div class="mod-attached" role="group" aria-labelledby={title}>
      <p id={title} class="mod-attached-title">
        Attached by the reporter ({report.attached.length === 1 ? '1 message' : `${report.attached.length} messages`}, oldest first; removed once
        you act on the report)
      </p>
      {report.attached.map((m, i) => (
        <p key={i} class="mod-attached-line">
          <span class="mod-who">{m.from === 'me' ? 'Reporter' : 'Reported'}:</span> {m.text}
        </p>
      ))}
    </div>
  );
}
