/** When a message was sent: the time today, the day and time before, in the reader's locale. */
export function formatMessageTime(at: string, now = new Date()): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return '';
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === now.toDateString()) return time;
  const day = date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }) });
  return `${day}, ${time}`;
}

export function MessageTime({ at }: { at: string }) {
  return (
    <time class="msg-time" dateTime={at}>
      {formatMessageTime(at)}
    </time>
  );
}
