/** Client-made ids for `send` and `dm` frames (1–64 characters, echoed back by the server). */
export function newClientId(): string {
  // getRandomValues works on plain http too, unlike crypto.randomUUID.
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
