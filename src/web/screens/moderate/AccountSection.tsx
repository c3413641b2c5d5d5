/** One account: look it up by id, see its report history, suspend it for a chosen time or lift the suspension. */
import { useState } from 'preact/hooks';
import { StatusLine } from '../../components/StatusLine.js';
import { useAction } from '../../components/useAction.js';
import type { AccountHistory } from '../../moderatorApi.js';
import { accountShown, liftSuspension, showHistory, SUSPENSIONS, suspendAccount } from '../../store/moderation.js';
import { AttachedLines } from './AttachedLines.js';
import { REASONS, STATUSES, when } from './labels.js';

export function AccountSection() {
  const [lookup, setLookup] = useState('');
  const { busy, status, run } = useAction();
  const shown = accountShown.value;
  const find = (event: Event) => {
    event.preventDefault();
    if (lookup.trim()) void run(() => showHistory(lookup));
  };

  return (
    <section class="card" aria-labelledby="account-title">
      <h2 id="account-title">Account history</h2>
      <form class="mod-lookup" onSubmit={find}>
        <div class="field">
          <label for="account-lookup">Account id</label>
          <input id="account-lookup" type="text" spellcheck={false} value={lookup} onInput={(e) => setLookup(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={busy || !lookup.trim()}>
          Look up
        </button>
      </form>
      {shown ? <AccountDetails history={shown} busy={busy} run={run} /> : <p class="hint">Choose “Account history” on a report, or look an account up.</p>}
      <StatusLine status={status} />
    </section>
  );
}

type Run = ReturnType<typeof useAction>['run'];

function AccountDetails({ history: h, busy, run }: { history: AccountHistory; busy: boolean; run: Run }) {
  const [hours, setHours] = useState<number>(SUSPENSIONS[1].hours);
  const account = h.account;
  const reportedBy = h.reporters === 1 ? '1 person' : `${h.reporters} people`;
  const filed = `filed ${h.filed.total} report${h.filed.total === 1 ? '' : 's'} itself (${h.filed.unfounded} unfounded)`;
  const suspend = () => run(async () => `Suspended until ${when(await suspendAccount(h.accountId, hours))}.`);
  const lift = () =>
    run(async () => {
      await liftSuspension(h.accountId);
      return 'The suspension is lifted.';
    });

  return (
    <div>
      <h3>
        Account <code>{h.accountId}</code>
      </h3>
      {account ? (
        <ul class="mod-facts">
          <li>Nickname: {account.nickname}</li>
          <li>Created {when(account.createdAt)}</li>
          <li class="mod-suspension">{account.suspendedUntil ? `Suspended until ${when(account.suspendedUntil)}` : 'Not suspended'}</li>
          <li>
            Reported by {reportedBy}; {filed}
          </li>
        </ul>
      ) : (
        <p>This account deleted itself. Its reports are kept under this pseudonym for 180 days.</p>
      )}
      {account && (
        <div class="mod-actions">
          <div class="field">
            <label for="suspend-for">Suspend for</label>
            <select id="suspend-for" value={hours} onChange={(e) => setHours(Number(e.currentTarget.value))}>
              {SUSPENSIONS.map((s) => (
                <option key={s.hours} value={s.hours}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
          <div class="button-row">
            <button type="button" class="danger" disabled={busy} onClick={() => void suspend()}>
              Suspend
            </button>
            {account.suspendedUntil && (
              <button type="button" disabled={busy} onClick={() => void lift()}>
                Lift the suspension
              </button>
            )}
          </div>
        </div>
      )}
      <h4>Reports about it, newest first</h4>
      {h.reports.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul class="mod-list">
          {h.reports.map((r) => (
            <li key={r.id} class="mod-item">
              <strong>{REASONS[r.reason]}</strong> · {when(r.createdAt)} · {STATUSES[r.status]}
              {r.note && <p class="mod-note">Note: {r.note}</p>}
              <AttachedLines report={r} where="history" />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
