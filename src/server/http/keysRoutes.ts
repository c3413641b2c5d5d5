/**
 * The account's identity key (issue 16, docs/encryption.md): its public key in
 * clear and its private key wrapped under the recovery code on the device. The
 * server checks only the shape; it cannot unwrap anything.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { base64UrlPattern, PUBLIC_KEY_PATTERN, SCRYPT, WRAP } from '../../shared/e2e.js';
import { notFound } from '../errors.js';
import type { Store } from '../store/store.js';
import { auth, signedIn } from './authentication.js';
import { parseBody } from './validation.js';

const Wrapped = z.strictObject({
  kdf: z.literal('scrypt'),
  logN: z.number().int().min(SCRYPT.logNMin).max(SCRYPT.logNMax),
  r: z.literal(SCRYPT.r),
  p: z.literal(SCRYPT.p),
  salt: z.string().regex(base64UrlPattern(SCRYPT.saltBytes)),
  nonce: z.string().regex(base64UrlPattern(WRAP.nonceBytes)),
  ciphertext: z.string().regex(base64UrlPattern(WRAP.ciphertextBytes)),
});
const PutKeys = z.strictObject({ publicKey: z.string().regex(PUBLIC_KEY_PATTERN), wrapped: Wrapped });

export type StoredKeys = { publicKey: string; wrapped: z.infer<typeof Wrapped> | null };

/** A stored wrap is re-read through the same schema: a row that does not parse is treated as no wrap. */
function parseWrapped(json: string | null): StoredKeys['wrapped'] {
  if (json === null) return null;
  const parsed = Wrapped.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : null;
}

export function registerKeysRoutes(app: FastifyInstance, store: Store): void {
  app.get('/api/me/keys', auth('active'), async (request) => {
    const { account } = signedIn(request);
    const keys = await store.accountKeys(account.id);
    if (!keys) throw notFound('This account has no keys yet.');
    return { publicKey: keys.publicKey, wrapped: parseWrapped(keys.wrappedKey) } satisfies StoredKeys;
  });

  app.put('/api/me/keys', auth('active'), async (request) => {
    const { account } = signedIn(request);
    const body = parseBody(PutKeys, request.body);
    await store.setAccountKeys(account.id, { publicKey: body.publicKey, wrappedKey: JSON.stringify(body.wrapped), updatedAt: new Date().toISOString() });
    return { publicKey: body.publicKey, wrapped: body.wrapped } satisfies StoredKeys;
  });
}
