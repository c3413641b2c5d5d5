/**
 * "Attach the last messages" of a report (docs/protocol.md, `report.attached`):
 * the newest text lines of the chat as this screen shows them, both sides —
 * not system lines, not messages that did not decrypt, not one's own that
 * never went out — at most LIMITS.reportAttachedMax, and only as many as keep
 * the whole `report` frame under the server's frame cap.
 */
import { LIMITS } from '../../shared/limits.js';
import type { AttachedMessage } from '../../shared/moderation.js';
import type { ClientFrameOf } from '../../shared/protocol.js';
import type { ChatLine } from './chatLines.js';

/** Room left under LIMITS.frameBytesMax, so the frame never meets the cap. */
export const REPORT_FRAME_MARGIN_BYTES = 512;
const BUDGET_BYTES = LIMITS.frameBytesMax - REPORT_FRAME_MARGIN_BYTES;

export type ReportFrame = ClientFrameOf<'report'>;

const encoder = new TextEncoder();
/** The frame's size on the wire: the bytes of its JSON (the socket sends JSON.stringify of it). */
export const frameBytes = (value: unknown): number => encoder.encode(JSON.stringify(value)).length;

const fitsAsMessage = (text: string) => text.length > 0 && [...text].length <= LIMITS.textMax;

/** Every line that could be attached, oldest first. */
export function attachableLines(lines: readonly ChatLine[]): AttachedMessage[] {
  const out: AttachedMessage[] = [];
  for (const line of lines) {
    if (line.kind === 'own' && line.state !== 'local' && line.state !== 'failed' && fitsAsMessage(line.text)) {
      out.push({ from: 'me', text: line.text });
    } else if (line.kind === 'partner' && !line.undecryptable && fitsAsMessage(line.text)) {
      out.push({ from: 'partner', text: line.text });
    }
  }
  return out;
}

/**
 * The newest of `candidates` (oldest first) that fit in `frame` with it: at
 * most LIMITS.reportAttachedMax, the newest kept, stopping at the first that
 * does not fit (so they stay the last messages, in a row). Oldest first.
 */
export function fitAttached(frame: Omit<ReportFrame, 'attached'>, candidates: readonly AttachedMessage[]): AttachedMessage[] {
  const recent = candidates.slice(-LIMITS.reportAttachedMax);
  // `"attached":[]` then one item and one comma per further item: the frame grows by exactly this.
  let size = frameBytes({ ...frame, attached: [] });
  let first = recent.length;
  for (let i = recent.length - 1; i >= 0; i--) {
    const grow = frameBytes(recent[i]) + (i < recent.length - 1 ? 1 : 0);
    if (size + grow > BUDGET_BYTES) break;
    size += grow;
    first = i;
  }
  return recent.slice(first);
}

/** What "Attach the last messages" would attach to this report now. */
export function lastMessages(frame: Omit<ReportFrame, 'attached'>, lines: readonly ChatLine[]): AttachedMessage[] {
  return fitAttached(frame, attachableLines(lines));
}
