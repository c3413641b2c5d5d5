/**
 * Reveal profile: shows exactly what will be sent from the private profile on
 * this device, and sends it only after a second press.
 */
import { useDialog } from '../../components/useDialog.js';
import { href } from '../../router.js';
import { revealProfile, type ChatSession } from '../../store/chat.js';
import { isProfileEmpty, privateProfile, profileEntries } from '../../store/profile.js';
import { ProfileList } from './ProfileList.js';

export function RevealPanel({ chat, onClose }: { chat: ChatSession; onClose(): void }) {
  const profile = privateProfile.value;
  const entries = profileEntries(profile);
  const empty = isProfileEmpty(profile);
  const { container, heading: title } = useDialog<HTMLElement, HTMLHeadingElement>(onClose);

  return (
    <section class="panel" role="dialog" aria-labelledby="reveal-title" aria-describedby="reveal-what" ref={container}>
      <h2 id="reveal-title" ref={title} tabIndex={-1}>Reveal your profile to {chat.partner.nickname}?</h2>
      {empty ? (
        <p id="reveal-what">
          Your private profile is empty, so there is nothing to reveal.{' '}
          <a href={href.settings}>Add your private profile</a>; it stays on this device until you reveal it.
        </p>
      ) : (
        <>
          <p id="reveal-what">
            This is exactly what {chat.partner.nickname} will see, once. It goes through the relay and is never
            stored{chat.encryption.status === 'on' ? ', end-to-end encrypted like your messages.' : '.'}
          </p>
          <ProfileList entries={entries} class="reveal-list" />
        </>
      )}
      <div class="panel-actions">
        {!empty && (
          <button
            type="button"
            class="primary"
            disabled={chat.ended !== null}
            onClick={() => {
              revealProfile(profile);
              onClose();
            }}
          >
            Reveal profile
          </button>
        )}
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </section>
  );
}
