import { dismissNotice, notices } from '../store/notices.js';

/** Server errors and confirmations, each dismissible. */
export function Notices() {
  const list = notices.value;
  return (
    <div class="notices">
      {list.map((notice) => (
        <div key={notice.id} class={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <p>{notice.text}</p>
          <button type="button" class="notice-close" aria-label="Dismiss notice" onClick={() => dismissNotice(notice.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
