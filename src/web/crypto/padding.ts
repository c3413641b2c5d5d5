import { PAD_BLOCK } from '../../shared/e2e.js';

/** ISO/IEC 7816-4 padding to a multiple of PAD_BLOCK bytes: a 0x80 byte, then zeros. */
export function pad(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil((bytes.length + 1) / PAD_BLOCK) * PAD_BLOCK);
  out.set(bytes);
  out[bytes.length] = 0x80;
  return out;
}

export function unpad(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0 || bytes.length % PAD_BLOCK !== 0) throw new Error('bad padding');
  let end = bytes.length - 1;
  while (end >= 0 && bytes[end] === 0) end--;
  if (end < 0 || bytes[end] !== 0x80) throw new Error('bad padding');
  return bytes.subarray(0, end);
}
