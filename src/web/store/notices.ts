/**
 * Dismissible notices at the top of every screen: server errors, connection
 * trouble, confirmations. Errors are announced as alerts, the rest politely.
 */
import { signal } from '@preact/signals';
import { newClientId } from '../ids.js';

export type Notice = { id: string; kind: 'error' | 'info'; text: string };

export const notices = signal<Notice[]>([]);

/** The identity key could not be made, unwrapped or uploaded (store/identityKeys.ts, store/identity.ts). */
export const KEYS_NOT_SET_UP = 'End-to-end encryption keys could not be set up on this device. Messages to you may arrive unencrypted.';

const AUTO_HIDE_INFO_MS = 8000;

export function showNotice(text: string, kind: Notice['kind'] = 'error'): void {
  // The same sentence twice in a row (a flood of rate-limit errors, say) shows once.
  if (notices.value.some((n) => n.text === text)) return;
  const notice: Notice = { id: newClientId(), kind, text };
  notices.value = [...notices.value.slice(-3), notice];
  if (kind === 'info') setTimeout(() => dismissNotice(notice.id), AUTO_HIDE_INFO_MS);
}

export function dismissNotice(id: string): void {
  notices.value = notices.value.filter((n) => n.id !== id);
}

export function clearNotices(): void {
  notices.value = [];
}
