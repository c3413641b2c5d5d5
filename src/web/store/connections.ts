/**
 * Connections: people both sides agreed to keep (PROTOCOL.md §3
 * "Connections"), their presence, and the messages between you.
 *
 * Offline messages arrive in the `inbox` frame after every `ready`; they
 * count as unread until their thread is on screen, then a `read` frame
 * deletes them on the server for good, and a `dm_read` tells the other side
 * how far this side has read. What a thread shows is kept on this device only
 * (threadHistory.ts, IndexedDB), so it survives a reload; Log out and Delete
 * everything wipe it.
 *
 * A message to a connection with an identity key is sealed to it (HPKE,
 * docs/encryption.md): the server relays or stores only ciphertext. A sealed
 * message received is opened with this device's identity key.
 */
import { computed, signal } from '@preact/signals';
import type { Connection, OfflineMessage, ServerFrame } from '../../shared/protocol.js';
import { LIMITS } from '../../shared/limits.js';
import * as api from '../api.js';
import { newClientId } from '../ids.js';
import { UNDECRYPTABLE } from './chatLines.js';
import type { DmLine } from './dmLine.js';
import { identityPrivateKey } from './identityKeys.js';
import { showNotice } from './notices.js';
import { isSocketReady, onFrame, sendFrame } from './realtime.js';
import { deleteThread, loadThreads, saveThread } from './threadHistory.js';

export type { DmLine } from './dmLine.js';

export const connections = signal<Connection[]>([]);
export const connectionsLoaded = signal(false);
export const connectionsError = signal<string | null>(null);
/** connectionId → the conversation shown in its thread. */
export const threads = signal<Record<string, DmLine[]>>({});
/** The thread on screen, whose new messages are read at once. */
export const openThread = signal<string | null>(null);

export const unreadByConnection = computed(() => {
  const counts: Record<string, number> = {};
  for (const [id, lines] of Object.entries(threads.value)) {
    counts[id] = lines.filter((l) => l.from === 'them' && l.unread).length;
  }
  return counts;
});

/** Unread messages from one connection: what the server counted, or what arrived since, whichever is more. */
export function unreadFor(connection: Connection): number {
  return Math.max(connection.unread, unreadByConnection.value[connection.id] ?? 0);
}

/** The number on the Connections link in the header. */
export const badgeCount = computed(() => {
  const local = unreadByConnection.value;
  let total = 0;
  const counted = new Set<string>();
  for (const c of connections.value) {
    total += unreadFor(c);
    counted.add(c.id);
  }
  for (const [id, n] of Object.entries(local)) if (!counted.has(id)) total += n;
  return total;
});

let tokenOf: () => string | null = () => null;
/** The account whose saved threads are kept up to date, once they are loaded (after `ready`). */
let historyAccount: string | null = null;
let historyLoaded = false;
/** connectionId → the newest `at` a `dm_read` was sent for. */
const receiptsSent = new Map<string, string>();

/** Called by the session store so HTTP calls here carry the token. */
export function setTokenSource(source: () => string | null): void {
  tokenOf = source;
}

/**
 * Presence frames that arrived while a list was being fetched: the list was
 * read on the server before them, so they win over what it says.
 */
const presenceDuringLoad = new Map<string, boolean>();
let loadsInFlight = 0;

export async function loadConnections(): Promise<void> {
  const token = tokenOf();
  if (!token) return;
  if (loadsInFlight++ === 0) presenceDuringLoad.clear();
  try {
    const loaded = await api.getConnections(token);
    connections.value = loaded.map((c) => {
      const online = presenceDuringLoad.get(c.id);
      return online === undefined ? c : { ...c, online };
    });
    // Kept threads of connections removed while this device was away: gone from the device too.
    if (historyLoaded) for (const id of Object.keys(threads.value)) if (!loaded.some((c) => c.id === id)) forget(id);
    connectionsError.value = null;
  } catch (error) {
    connectionsError.value = api.describeError(error);
  } finally {
    loadsInFlight -= 1;
    connectionsLoaded.value = true;
  }
}

/** Waiting offline messages over HTTP; the `inbox` frame brings the same after every connect. */
export async function loadInbox(): Promise<void> {
  const token = tokenOf();
  if (!token) return;
  try {
    await receiveInbox(await api.getInbox(token));
  } catch {
    // The next `inbox` frame brings them anyway.
  }
}

export async function removeConnection(id: string): Promise<boolean> {
  const token = tokenOf();
  if (!token) return false;
  try {
    await api.deleteConnection(token, id);
    forget(id);
    return true;
  } catch (error) {
    showNotice(api.describeError(error));
    return false;
  }
}

function forget(id: string): void {
  connections.value = connections.value.filter((c) => c.id !== id);
  const rest = { ...threads.value };
  delete rest[id];
  threads.value = rest;
  if (historyAccount) void deleteThread(historyAccount, id);
}

/** Replaces a thread's lines, on screen and on the device. */
function setThread(connectionId: string, lines: DmLine[]): void {
  threads.value = { ...threads.value, [connectionId]: lines };
  // Not before the saved threads are in: a save would replace a record not read yet.
  if (historyAccount && historyLoaded) void saveThread(historyAccount, connectionId, lines);
}

function addLines(connectionId: string, lines: DmLine[]): void {
  const existing = threads.value[connectionId] ?? [];
  const known = new Set(existing.map(lineKey));
  const fresh = lines.filter((l) => !known.has(lineKey(l)));
  if (fresh.length === 0) return;
  setThread(connectionId, [...existing, ...fresh]);
  if (openThread.value === connectionId) markThreadRead(connectionId);
}

/** After `ready`: this account's saved threads, merged with what arrived meanwhile, in time order. */
async function restoreHistory(accountId: string): Promise<void> {
  if (historyAccount === accountId) return;
  historyAccount = accountId;
  historyLoaded = false;
  const saved = await loadThreads(accountId);
  if (historyAccount !== accountId) return;
  historyLoaded = true;
  for (const connectionId of new Set([...Object.keys(saved), ...Object.keys(threads.value)])) {
    const current = threads.value[connectionId] ?? [];
    const known = new Set(current.map(lineKey));
    const older = (saved[connectionId] ?? []).filter((l) => !known.has(lineKey(l)));
    setThread(connectionId, [...older, ...current].sort((a, b) => a.at.localeCompare(b.at)));
  }
  if (openThread.value) markThreadRead(openThread.value);
}

/** HPKE is fetched the first time a connection message is sealed or opened, not with the first page. */
const loadSealed = () => import('../crypto/sealed.js');

/** A received text as the thread shows it: opened when sealed ("Could not decrypt this message" when it does not open). */
async function openReceived(m: { connectionId: string; text: string; sealed?: true }): Promise<{ text: string; undecryptable?: true }> {
  if (!m.sealed) return { text: m.text };
  const privateKey = await identityPrivateKey();
  if (!privateKey) return { text: UNDECRYPTABLE, undecryptable: true };
  try {
    const { openMessage } = await loadSealed();
    return { text: await openMessage(privateKey, m.connectionId, m.text) };
  } catch {
    return { text: UNDECRYPTABLE, undecryptable: true };
  }
}

async function receiveInbox(messages: OfflineMessage[]): Promise<void> {
  const opened = await Promise.all(messages.map(openReceived));
  const byConnection = new Map<string, DmLine[]>();
  for (const [i, m] of messages.entries()) {
    const list = byConnection.get(m.connectionId) ?? [];
    list.push({ from: 'them', id: m.id, at: m.at, unread: true, offline: true, ...opened[i]! });
    byConnection.set(m.connectionId, list);
  }
  for (const [connectionId, lines] of byConnection) addLines(connectionId, lines);
}

/**
 * The thread is on screen: everything in it counts as read; offline ones are deleted on the server,
 * and the other side learns how far we read.
 */
export function markThreadRead(connectionId: string): void {
  const lines = threads.value[connectionId];
  if (!lines) return;
  sendReceipt(connectionId, lines);
  if (!lines.some((l) => l.from === 'them' && l.unread)) return;
  const offlineIds = lines.filter((l) => l.from === 'them' && l.unread && l.offline).map((l) => l.id);
  setThread(
    connectionId,
    lines.map((l) => (l.from === 'them' && l.unread ? { ...l, unread: false } : l)),
  );
  if (offlineIds.length > 0) void confirmRead(offlineIds);
  connections.value = connections.value.map((c) => (c.id === connectionId ? { ...c, unread: 0 } : c));
}

function sendReceipt(connectionId: string, lines: DmLine[]): void {
  let newest = '';
  for (const l of lines) if (l.from === 'them' && l.at > newest) newest = l.at;
  if (!newest || newest <= (receiptsSent.get(connectionId) ?? '')) return;
  if (isSocketReady() && sendFrame({ type: 'dm_read', connectionId, at: newest })) receiptsSent.set(connectionId, newest);
}

async function confirmRead(ids: string[]): Promise<void> {
  if (isSocketReady() && sendFrame({ type: 'read', ids })) return;
  const token = tokenOf();
  if (!token) return;
  try {
    await api.markInboxRead(token, ids);
  } catch {
    // They stay unread on the server and come back in the next inbox: no harm.
  }
}

/** Returns an error sentence, or null when the message went out (or waits for a reconnect). */
export function sendDm(connectionId: string, raw: string): string | null {
  const text = raw.replace(/\s+$/u, '');
  if (!text.trim()) return null;
  if ([...text].length > LIMITS.textMax) return `Messages are at most ${LIMITS.textMax} characters.`;
  const id = newClientId();
  addLines(connectionId, [{ from: 'me', id, text, at: new Date().toISOString(), state: 'sending' }]);
  const publicKey = connectionById(connectionId)?.publicKey;
  if (!publicKey) {
    sendFrame({ type: 'dm', connectionId, id, text }, true);
    return null;
  }
  loadSealed()
    .then(({ sealMessage }) => sealMessage(publicKey, connectionId, text))
    .then(
      (sealed) => sendFrame({ type: 'dm', connectionId, id, text: sealed, sealed: true }, true),
      () => showNotice('This message could not be encrypted, so it was not sent.'),
    );
  return null;
}

export function connectionById(id: string): Connection | undefined {
  return connections.value.find((c) => c.id === id);
}

export function resetConnections(): void {
  connections.value = [];
  connectionsLoaded.value = false;
  connectionsError.value = null;
  threads.value = {};
  openThread.value = null;
  historyAccount = null;
  historyLoaded = false;
  receiptsSent.clear();
}

function onConnectionFrame(frame: ServerFrame): void {
  switch (frame.type) {
    case 'ready':
      void loadConnections();
      void restoreHistory(frame.account.id);
      return;
    case 'inbox':
      void receiveInbox(frame.messages);
      return;
    case 'dm': {
      if (!connectionById(frame.connectionId)) void loadConnections();
      void openReceived(frame).then((opened) => {
        const line: DmLine = { from: 'them', id: frame.id, at: frame.at, unread: true, offline: false, ...opened };
        addLines(frame.connectionId, [line]);
      });
      return;
    }
    case 'dm_sent': {
      const lines = threads.value[frame.connectionId];
      if (!lines) return;
      const state = frame.stored ? 'stored' : 'delivered';
      setThread(
        frame.connectionId,
        lines.map((l) => (l.from === 'me' && l.id === frame.id && l.state === 'sending' ? { ...l, state, at: frame.at } : l)),
      );
      return;
    }
    case 'dm_read': {
      const lines = threads.value[frame.connectionId];
      const covered = (l: DmLine) => l.from === 'me' && (l.state === 'delivered' || l.state === 'stored') && l.at <= frame.at;
      if (!lines?.some(covered)) return;
      setThread(
        frame.connectionId,
        lines.map((l) => (covered(l) ? { ...l, state: 'read' as const } : l)),
      );
      return;
    }
    case 'presence':
      if (loadsInFlight > 0) presenceDuringLoad.set(frame.connectionId, frame.online);
      connections.value = connections.value.map((c) =>
        c.id === frame.connectionId ? { ...c, online: frame.online } : c,
      );
      return;
    case 'connection_removed': {
      const gone = connectionById(frame.connectionId);
      forget(frame.connectionId);
      if (gone && openThread.value === frame.connectionId) {
        showNotice(`The connection with ${gone.nickname} was removed.`, 'info');
      }
      return;
    }
    case 'connected':
      if (!connectionById(frame.connection.id)) connections.value = [...connections.value, frame.connection];
      return;
    default:
      return;
  }
}

onFrame(onConnectionFrame);

export function handleConnectionsError(frame: Extract<ServerFrame, { type: 'error' }>): boolean {
  if (frame.code === 'inbox_full') {
    showNotice(frame.message || 'Their inbox is full. Try again after they have read their messages.');
    return true;
  }
  return false;
}

/** Keeps a stable id for `key=` in lists even before the server confirms a message. */
export const lineKey = (line: DmLine): string => `${line.from}:${line.id}`;
