/**
 * The recovery-code pepper: a server secret kept outside the database that
 * keys every stored code hash, so a leaked database alone cannot be attacked
 * offline. `codeHash = HMAC-SHA256(pepper, SHA-256(normalised code))`: the
 * inner SHA-256 is what was stored before peppering, so old rows are rehashed
 * in place without knowing any code.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PepperSource, RecoveryPepperConfig } from '../config.js';
import type { Store } from '../store/store.js';

/** Server-state keys: the check value of the pepper in use, and of the previous one while rotating. */
export const PEPPER_CHECK_KEY = 'recovery_pepper_check';
export const PREVIOUS_PEPPER_CHECK_KEY = 'recovery_pepper_previous_check';
const CHECK_LABEL = 'metsony recovery-pepper check v1';

export class PepperMismatchError extends Error {}

/** Keys the SHA-256 digest of a code (raw bytes, or as stored before peppering: base64url). */
function keyed(pepper: string, sha256: Buffer): string {
  return createHmac('sha256', pepper).update(sha256).digest('base64url');
}

export function pepperedCodeHash(pepper: string, normalizedCode: string): string {
  return keyed(pepper, createHash('sha256').update(normalizedCode).digest());
}

/** The value stored in the database to recognise a pepper without revealing it. */
export function pepperCheck(pepper: string): string {
  return createHmac('sha256', pepper).update(CHECK_LABEL).digest('base64url');
}

export class RecoveryCodeHasher {
  constructor(
    private readonly pepper: string,
    private readonly previous?: string,
  ) {}

  hash(normalizedCode: string): string {
    return pepperedCodeHash(this.pepper, normalizedCode);
  }

  /** The hash under the previous pepper, while a rotation is under way. */
  previousHash(normalizedCode: string): string | undefined {
    return this.previous === undefined ? undefined : pepperedCodeHash(this.previous, normalizedCode);
  }
}

/** The pepper's value: from the environment, a file, or (first start) a new random one written under DATA_DIR. */
export function readPepper(source: PepperSource): string {
  if (source.kind === 'value') return source.value;
  let value: string;
  try {
    fs.mkdirSync(path.dirname(source.path), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(source.path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
    value = fs.readFileSync(source.path, 'utf8').trim();
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw new PepperMismatchError(`RECOVERY_PEPPER: unset, and ${source.path} cannot be created or read (${code}); set RECOVERY_PEPPER or RECOVERY_PEPPER_FILE`);
  }
  if (value.length < 32) throw new PepperMismatchError(`RECOVERY_PEPPER: the generated file ${source.path} is damaged; restore it from a backup`);
  return value;
}

function variableOf(source: PepperSource): string {
  return source.kind === 'value' ? source.variable : `RECOVERY_PEPPER (unset; the generated ${source.path} was used)`;
}

/**
 * Checks the pepper against the database before the server accepts traffic,
 * and brings the stored hashes up to it: once, from plain SHA-256 (existing
 * databases), and at the start of a rotation (RECOVERY_PEPPER_PREVIOUS).
 * A pepper the database does not know stops start-up instead of locking
 * everyone out.
 */
export async function preparePepper(store: Store, config: RecoveryPepperConfig): Promise<{ hasher: RecoveryCodeHasher; rehashed: number }> {
  const pepper = readPepper(config.current);
  const { previous } = config;
  const check = pepperCheck(pepper);
  const rehashed = await store.pepperCodeHashes(PEPPER_CHECK_KEY, check, (sha256) => keyed(pepper, Buffer.from(sha256, 'base64url')));
  const stored = await store.serverValue(PEPPER_CHECK_KEY);
  const previousStored = await store.serverValue(PREVIOUS_PEPPER_CHECK_KEY);
  if (stored === check) {
    if (previous !== undefined && previousStored !== pepperCheck(previous)) {
      throw new PepperMismatchError('RECOVERY_PEPPER_PREVIOUS: is not the pepper this database used before RECOVERY_PEPPER; unset it or set the right one');
    }
    if (previous === undefined && previousStored !== undefined) await store.setServerValue(PREVIOUS_PEPPER_CHECK_KEY, null);
    return { hasher: new RecoveryCodeHasher(pepper, previous), rehashed };
  }
  if (previous !== undefined && stored === pepperCheck(previous)) {
    // A rotation begins: codes move to the new pepper one by one as people sign in.
    await store.setServerValue(PREVIOUS_PEPPER_CHECK_KEY, stored);
    await store.setServerValue(PEPPER_CHECK_KEY, check);
    return { hasher: new RecoveryCodeHasher(pepper, previous), rehashed };
  }
  throw new PepperMismatchError(
    `${variableOf(config.current)}: is not the pepper this database's recovery codes are keyed with; set the original one (see docs/operations.md)`,
  );
}
