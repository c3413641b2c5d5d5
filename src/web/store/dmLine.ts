/** One line of a conversation with a connection, as shown and as kept on the device (threadHistory.ts). */
export type DmLine =
  | { from: 'them'; id: string; text: string; at: string; unread: boolean; offline: boolean }
  /**
   * `at`: the server's time once `dm_sent` says it (the device's until then). `stored`: waits on the
   * server for an offline connection; `read`: their `dm_read` covered it.
   */
  | { from: 'me'; id: string; text: string; at: string; state: 'sending' | 'delivered' | 'stored' | 'read' };
