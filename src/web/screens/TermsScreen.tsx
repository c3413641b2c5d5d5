/** Short terms of use. */
import { href } from '../router.js';

export function TermsScreen() {
  return (
    <article class="page narrow legal">
      <h1 tabIndex={-1}>Terms of Service</h1>
      <p>By using METSONY you agree to these rules. They are short on purpose.</p>
      <ol>
        <li>
          <strong>You must be 18 or older.</strong> Accounts of minors are removed.
        </li>
        <li>
          <strong>Nothing illegal.</strong> No content that is illegal where you or the other person are, and never
          anything sexual involving minors.
        </li>
        <li>
          <strong>No harassment.</strong> No threats, hate, stalking, or pressure to share personal details or images.
        </li>
        <li>
          <strong>No spam.</strong> No advertising, scams, or automated messages.
        </li>
        <li>
          <strong>Respect privacy.</strong> Do not share someone else’s personal information. What you reveal about
          yourself is your choice and your responsibility.
        </li>
        <li>
          <strong>AI partners</strong> are always labelled “AI”; what they write is generated and may be wrong.
        </li>
        <li>
          <strong>Moderation.</strong> Reports are reviewed. Accounts that break these rules can be suspended, for a
          while or for good; repeated reports can suspend an account automatically.
        </li>
        <li>
          <strong>Your recovery code is your account.</strong> Keep it safe: without it nobody can restore access.
        </li>
        <li>
          <strong>As is.</strong> METSONY is provided without guarantees; we may change or stop the service.
        </li>
      </ol>
      <p>
        <a href={href.chat}>Back to METSONY</a>
      </p>
    </article>
  );
}
