/** The privacy policy: every promise here is a feature of the software (PRODUCT.md P1–P15). */
import { href } from '../router.js';
import { features } from '../store/features.js';

const KEPT: { what: string; why: string; until: string }[] = [
  { what: 'Account id (random)', why: 'To tell accounts apart', until: 'Until you delete everything' },
  { what: 'Nickname', why: 'Shown to chat partners and connections', until: 'Until you change it or delete everything' },
  { what: 'Interests', why: 'To match you with people who share them', until: 'Until you change them or delete everything' },
  { what: 'Recovery code, hashed', why: 'It is your account: signing in', until: 'Until you replace it or delete everything' },
  { what: 'Sign-in tokens, hashed, with when each began and was last used', why: 'To keep you signed in on a device, and to list your devices in Settings', until: 'Until you log out or sign out that device, it goes unused for a long time (90 days unless the server is set otherwise), you replace your code, or delete everything' },
  { what: 'Connections (who, since when)', why: 'So two people who agreed can find each other again', until: 'Until either of you removes it or deletes everything' },
  {
    what: 'Offline messages to a connection: encrypted on the sender’s device for the recipient’s key, so we cannot read them',
    why: 'To deliver them when the person comes back',
    until: 'Until they are read (then deleted), or either account is deleted',
  },
  {
    what: 'Your encryption key: the public half, and the private half locked with your recovery code on your device (we cannot unlock it)',
    why: 'So connections can write to you end to end, and a new device signed in with your code can read what waits',
    until: 'The locked copy until you replace your code (then your device locks it again with the new one); both until you delete everything',
  },
  {
    what: 'Your conversations with connections: in your browser only (IndexedDB), never on our servers',
    why: 'So a conversation is still there after a reload, as in a messenger',
    until: 'On this device, until you log out, delete everything or remove that connection (clearing the browser’s site data deletes it too)',
  },
  { what: 'Blocks', why: 'So you are never matched again with someone you blocked', until: 'Until you delete everything' },
  {
    what: 'Reports you file (reason, optional note), and what a moderator decided about each',
    why: 'Moderation and temporary suspensions',
    until: 'Until you delete everything',
  },
  {
    what: 'The last messages of a chat, in clear, only if you tick “Attach the last messages” when you report (both sides, as your screen showed them)',
    why: 'So the moderators can see what happened: chats are end-to-end encrypted, and they cannot read them otherwise',
    until:
      'Until a moderator acts on the report (closes or dismisses it), and 30 days after the report at the latest; deleting your account deletes them at once. Shown in your data export while they are kept',
  },
  {
    what: 'Reports about you (reason, the reporter’s note, and the last messages of the chat if the reporter attached them)',
    why: 'Moderation, and protecting people after an account is deleted',
    until:
      'If you delete everything, they are kept for 180 days after each report was made, under a random pseudonym: never with your nickname, interests or any other data of yours. Attached messages stay until a moderator acts on the report, 30 days at most, even if you delete everything: evidence of abuse cannot be wiped by the person reported',
  },
  {
    what: 'What moderators did about your account: a suspension (until when) or its lifting, a report about you closed or dismissed, and when; never who the moderator was, never your IP address',
    why: 'So every moderation decision can be checked later; shown in your data export',
    until: 'One year after each action, or until you delete everything (then at once)',
  },
  { what: 'Google account id (and email), only if you link Google', why: 'To let you sign in with Google', until: 'Until you unlink it or delete everything' },
];

export function PrivacyScreen() {
  return (
    <article class="page narrow legal">
      <h1 tabIndex={-1}>Privacy Policy</h1>
      <p>
        METSONY is anonymous chat for adults. Privacy is the product: no real name, no email, no stored conversations,
        no tracking, and one button that erases everything.
      </p>

      <h2>What we keep, and for how long</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Data</th>
              <th scope="col">Why</th>
              <th scope="col">Kept</th>
            </tr>
          </thead>
          <tbody>
            {KEPT.map((row) => (
              <tr key={row.what}>
                <th scope="row">{row.what}</th>
                <td>{row.why}</td>
                <td>{row.until}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>What we do not keep</h2>
      <ul>
        <li>
          <strong>Live chat messages.</strong> They are relayed from one person to the other in memory and never written
          to disk or to logs. Between two people using this app they are end-to-end encrypted: each chat makes fresh
          keys on both devices, and the server relays only ciphertext it cannot read or alter unnoticed. The chat says
          “End-to-end encrypted” and shows a safety code to compare, or says plainly when a chat is not end-to-end
          encrypted (an AI partner, or a partner’s app that offers no key). The one exception is yours to make: when you
          report someone you may attach the last messages, and those are kept for the moderators as said above.
        </li>
        <li>
          <strong>Your IP address.</strong> It is used for a moment to estimate your country or region (for “near me”
          matching) and, in memory only, to limit abuse (as a keyed hash that changes every day, so it cannot be turned
          back into your address). It is never written to disk or logs and never shown to anyone.
        </li>
        <li>
          <strong>How you chat, to keep bots out.</strong> When you sign up or sign in, your browser solves a small puzzle
          (proof of work) instead of a tracking captcha: no cookie, nothing about you is sent. While you chat, the server
          keeps in memory only, for about an hour, the timing of your last few chats (how soon you wrote, whether you got
          an answer, how soon the chat ended), never what was said. Accounts whose chats look like a bot’s (one message,
          gone, many times) are asked to wait or solve a harder puzzle before the next search; nobody is banned for it.
        </li>
        <li>
          <strong>Your private profile</strong> (first name, age, gender, location). It stays in your browser. Only when
          you press “Reveal profile” is it sent, once, through the relay, to the person you are chatting with; we never
          store it. In an end-to-end encrypted chat it is encrypted like the messages, so the server cannot read it
          either.
        </li>
        <li>
          <strong>No email, no real name, no cookies, no advertising, no tracking.</strong>{' '}
          {features.value.challenge === 'turnstile'
            ? 'Nothing on this site loads from anyone else, except the Cloudflare Turnstile check at sign-up and sign-in.'
            : 'Nothing on this site loads from anyone else.'}
        </li>
      </ul>

      <h2>On your device</h2>
      <p>
        Your browser’s local storage keeps your sign-in, your encryption key, your “near me” choice, your private
        profile and whether new matches and messages play a sound. Log out and Delete everything clear it. Alerts while METSONY is in the
        background (the tab’s title, the sound, notifications you allowed) are made on your device; notifications say
        who wrote, never what.
      </p>

      <h2>Who else is involved</h2>
      <ul>
        <li>
          <strong>An AI provider (xAI Grok by default)</strong> powers the occasional AI conversation partner, always
          labelled “AI”, and message translation. When you press “Translate”, the text of that one message leaves your
          device in clear, to our server and the provider; in a chat with an AI, that chat’s messages do (such a chat is
          not end-to-end encrypted, and says so). METSONY stores neither.
        </li>
        {features.value.challenge === 'turnstile' && (
          <li>
            <strong>Cloudflare Turnstile</strong> checks at sign-up and sign-in that you are not a bot. Its widget
            loads from Cloudflare and sees your browser’s connection; METSONY sends Cloudflare only the widget’s token,
            never your address.
          </li>
        )}
        <li>
          <strong>Cloudflare</strong> delivers the site, protects it from attacks and provides HTTPS. Traffic is
          encrypted on the way.
        </li>
      </ul>

      <h2>Your rights</h2>
      <p>
        You can see everything we store about you (Settings → Export my data), correct it (change your nickname and
        interests), erase it (Settings → Delete everything: your account, nickname, interests, connections, stored
        messages and linked sign-ins are removed for good; reports other people made about you are kept under a
        pseudonym for 180 days, see above), and object by simply stopping or deleting your account. A suspended account
        can still export its data, log out and delete everything.
      </p>

      <h2>Adults only</h2>
      <p>METSONY is for people aged 18 or older. Reports of minors are handled first.</p>

      <p>
        <a href={href.chat}>Back to METSONY</a>
      </p>
    </article>
  );
}
