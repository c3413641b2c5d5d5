/**
 * What the one polite live region (components/Announcer.tsx) says next:
 * a match, a partner leaving, a search widening. The same sentence twice in
 * a row is still announced (the region is emptied first).
 */
import { signal } from '@preact/signals';

export const announcement = signal<{ text: string; n: number }>({ text: '', n: 0 });

export function announce(text: string): void {
  announcement.value = { text, n: announcement.peek().n + 1 };
}
