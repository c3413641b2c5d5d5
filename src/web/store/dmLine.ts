/** One line of a conversation with a connection, as shown and as kept on the device (threadHistory.ts). */
export type DmLine =
  /** `undecryptable`: a sealed message that did not open on this device; `text` then says so. */
  | { from: 'them'; id: string; text: string; at: string; unread: boolean; offline: boolean; undecryptable?: true }
  /**
   * `at`: the server's time once `dm_sent` says it (the device's until then). `stored`: waits on the
   * server for an offline connection; `read`: their `dm_read` covered it.
   */
  | { from: 'me'; id: string; text: string; at: string; state: 'sending' | 'delivered' | 'stored' | 'read' };
