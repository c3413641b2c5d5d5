/**
 * `#/moderate`: the moderator console (issue 15). Behind the moderator token,
 * not an account: open reports, an account's history, suspending and lifting,
 * closing and dismissing reports, and the audit log of all of it.
 */
import { useEffect } from 'preact/hooks';
import { useAction } from '../components/useAction.js';
import { StatusLine } from '../components/StatusLine.js';
import { leaveConsole, loadAudit, loadReports, moderatorToken } from '../store/moderation.js';
import { AccountSection } from './moderate/AccountSection.js';
import { AuditSection } from './moderate/AuditSection.js';
import { ReportsSection } from './moderate/ReportsSection.js';
import { TokenForm } from './moderate/TokenForm.js';

export function ModerateScreen() {
  const token = moderatorToken.value;
  const { status, run } = useAction();

  // A token kept from before a reload: load what it opens (a refused one closes the console).
  useEffect(() => {
    if (token) void run(() => Promise.all([loadReports(), loadAudit()]).then(() => undefined));
  }, []);

  return (
    <div class="page moderate">
      <h1 tabIndex={-1}>Moderator console</h1>
      {token ? (
        <>
          <div class="button-row">
            <button type="button" onClick={() => leaveConsole()}>
              Leave the console
            </button>
          </div>
          <StatusLine status={status} />
          <ReportsSection />
          <AccountSection />
          <AuditSection />
        </>
      ) : (
        <TokenForm />
      )}
    </div>
  );
}
