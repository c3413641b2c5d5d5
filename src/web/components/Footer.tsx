import { href } from '../router.js';

/** On every screen but the chat screens (App hides it there): the policy pages, signed in or not. */
export function Footer() {
  return (
    <footer class="site-footer">
      <nav aria-label="Legal">
        <a href={href.privacy}>Privacy Policy</a>
        <a href={href.terms}>Terms of Service</a>
      </nav>
      <p>METSONY · anonymous chat for adults · no stored conversations</p>
    </footer>
  );
}
