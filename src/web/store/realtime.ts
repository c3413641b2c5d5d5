/**
 * The one live socket of this tab, and who listens to it. The chat and
 * connections stores subscribe to frames here; the session store starts and
 * stops the socket and decides what an unauthorized answer means.
 */
import { signal } from '@preact/signals';
import type { ClientFrame, ServerFrame } from '../../shared/protocol.js';
import { ChatSocket, socketUrl, type SocketStatus } from '../socket.js';

export const socketStatus = signal<SocketStatus>('stopped');
/** Set after a `shutdown` frame until the next `ready`: the server is restarting. */
export const serverRestarting = signal(false);

type Listener = (frame: ServerFrame) => void;
const listeners: Listener[] = [];

export function onFrame(listener: Listener): void {
  listeners.push(listener);
}

let currentToken: () => string | null = () => null;
let unauthorized: () => void = () => undefined;

const socket = new ChatSocket(socketUrl(), {
  token: () => currentToken(),
  onFrame(frame) {
    if (frame.type === 'shutdown') serverRestarting.value = true;
    if (frame.type === 'ready') serverRestarting.value = false;
    for (const listener of listeners) listener(frame);
  },
  onStatus(status) {
    socketStatus.value = status;
  },
  onUnauthorized: () => unauthorized(),
});

export function startRealtime(token: () => string | null, onUnauthorized: () => void): void {
  currentToken = token;
  unauthorized = onUnauthorized;
  socket.start();
}

export function restartRealtime(): void {
  socket.restart();
}

export function stopRealtime(): void {
  socket.stop();
  serverRestarting.value = false;
}

/** See `ChatSocket.send`: `queue` keeps the frame for after a reconnect. */
export function sendFrame(frame: ClientFrame, queue = false): boolean {
  return socket.send(frame, queue);
}

export function isSocketReady(): boolean {
  return socket.isReady;
}
