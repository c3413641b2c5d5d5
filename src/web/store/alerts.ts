/**
 * Background alerts, all on this device: while the tab is hidden, a match or
 * a message changes the title ("Matched! · METSONY", "(2) New messages ·
 * METSONY"), plays a short tone if the person turned sound on (Settings;
 * kept in localStorage), and shows a system notification if they allowed
 * notifications. Notifications name who wrote, never what they wrote.
 * Everything resets when the tab is seen again.
 */
import { effect, signal } from '@preact/signals';
import type { ServerFrame } from '../../shared/protocol.js';
import { loadSound, saveSound } from '../storage.js';
import { matchedText } from './chat.js';
import { connectionById } from './connections.js';
import { onFrame } from './realtime.js';
import { session } from './session.js';

export const soundOn = signal(loadSound());

export type NotificationState = 'unsupported' | NotificationPermission;
export const notificationState = signal<NotificationState>(currentPermission());

const BRAND = 'METSONY';
const baseTitle = document.title;
let unread = 0;
let matched = false;
let audio: AudioContext | null = null;

function currentPermission(): NotificationState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export function setSound(on: boolean): void {
  soundOn.value = on;
  saveSound(on);
  if (on) tone(); // a sample, and (started by a click) it unlocks audio for later
}

export async function askNotifications(): Promise<void> {
  if (typeof Notification === 'undefined') return;
  notificationState.value = await Notification.requestPermission();
}

function showTitle(): void {
  if (unread > 0) document.title = `(${unread}) ${unread === 1 ? 'New message' : 'New messages'} · ${BRAND}`;
  else if (matched) document.title = `Matched! · ${BRAND}`;
  else document.title = baseTitle;
}

/** A short two-note chime, made here (no file to fetch). */
function tone(): void {
  try {
    audio ??= new AudioContext();
    const start = audio.currentTime;
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.15, start);
    gain.gain.exponentialRampToValueAtTime(0.001, start + 0.35);
    [660, 880].forEach((hz, i) => {
      const osc = audio!.createOscillator();
      osc.frequency.value = hz;
      osc.connect(gain);
      osc.start(start + i * 0.12);
      osc.stop(start + 0.35);
    });
  } catch {
    // No audio here (policy, no device): the title and notification still tell.
  }
}

function notify(title: string, body: string): void {
  if (currentPermission() !== 'granted') return;
  try {
    const note = new Notification(title, { body, tag: 'metsony', icon: '/favicon.svg' });
    note.onclick = () => {
      window.focus();
      note.close();
    };
  } catch {
    // Some browsers allow notifications only from a service worker: the title still tells.
  }
}

function alert(kind: 'match' | 'message', body: string): void {
  if (!document.hidden) return;
  if (kind === 'match') matched = true;
  else unread += 1;
  showTitle();
  if (soundOn.peek()) tone();
  notify(kind === 'match' ? 'Matched!' : 'New message', body);
}

function onAlertFrame(frame: ServerFrame): void {
  if (frame.type === 'matched') alert('match', matchedText(frame.chat.partner));
  else if (frame.type === 'message') alert('message', 'Your chat partner wrote.');
  else if (frame.type === 'dm') {
    const who = connectionById(frame.connectionId)?.nickname;
    alert('message', who ? `${who} wrote.` : 'A connection wrote.');
  }
}

onFrame(onAlertFrame);

document.addEventListener('visibilitychange', () => {
  if (document.hidden) return;
  unread = 0;
  matched = false;
  showTitle();
  notificationState.value = currentPermission();
});

// Log out and Delete everything clear localStorage: the sound choice goes with it.
effect(() => {
  if (!session.value) soundOn.value = loadSound();
});
