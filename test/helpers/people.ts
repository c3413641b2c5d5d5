/** Higher-level steps shared by tests: people who chat, and people who are connected. */
import { expect } from 'vitest';
import { type SignUp, signUp } from './http.js';
import { TestSocket } from './wsClient.js';

export type Person = { user: SignUp; socket: TestSocket };

let n = 0;
/** A fresh interest, so tests sharing a server do not pair across each other. */
export const freshTopic = () => `topic-${++n}-${Math.random().toString(36).slice(2, 8)}`;

export async function person(base: string, wsUrl: string, interests: string[], nickname?: string): Promise<Person> {
  const user = await signUp(base, interests, nickname);
  return { user, socket: await TestSocket.signedIn(wsUrl, user.token) };
}

/** Two people matched in a chat. */
export async function chatting(base: string, wsUrl: string, names: [string, string] = ['Alice', 'Bob']) {
  const topic = freshTopic();
  const a = await person(base, wsUrl, [topic], names[0]);
  const b = await person(base, wsUrl, [topic], names[1]);
  a.socket.send({ type: 'find' });
  await a.socket.next('searching');
  b.socket.send({ type: 'find' });
  const chatId = (await a.socket.next('matched')).chat.id;
  await b.socket.next('matched');
  return { a, b, chatId };
}

/** Two people who chatted and both pressed Connect. */
export async function connected(base: string, wsUrl: string, names: [string, string] = ['Alice', 'Bob']) {
  const { a, b, chatId } = await chatting(base, wsUrl, names);
  a.socket.send({ type: 'connect', chatId });
  await b.socket.next('connect_requested');
  b.socket.send({ type: 'connect', chatId });
  const ca = await a.socket.next('connected');
  const cb = await b.socket.next('connected');
  expect(ca.connection.id).toBe(cb.connection.id);
  return { a, b, chatId, connectionId: ca.connection.id };
}

/** Two signed-in people (idle) chat and connect; returns the connection id. The chat stays open. */
export async function meetAndConnect(x: Person, y: Person): Promise<string> {
  const topic = freshTopic();
  x.socket.send({ type: 'find', interests: [topic] });
  await x.socket.next('searching');
  y.socket.send({ type: 'find', interests: [topic] });
  const chatId = (await x.socket.next('matched')).chat.id;
  await y.socket.next('matched');
  x.socket.send({ type: 'connect', chatId });
  await y.socket.next('connect_requested');
  y.socket.send({ type: 'connect', chatId });
  const id = (await x.socket.next('connected')).connection.id;
  await y.socket.next('connected');
  x.socket.send({ type: 'leave', chatId });
  await x.socket.next('ended');
  await y.socket.next('ended');
  return id;
}
