/**
 * The error catalogue is the wire contract for codes and HTTP statuses: the
 * statuses never change, every code in it is documented once in
 * docs/protocol.md (and nothing else is), and every code the server source
 * sends is in it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, ERRORS, type HttpErrorCode, SOCKET_ERROR_CODES } from '../../src/shared/errors.js';
import { AppError, errorFrame } from '../../src/server/errors.js';

const root = path.resolve(__dirname, '../..');

const isHttp = (code: ErrorCode): code is HttpErrorCode => 'http' in ERRORS[code];

/** The contract as it was when the catalogue was made: codes are added here, never changed. */
const HTTP_STATUSES: Record<string, number> = {
  bad_request: 400,
  age_confirmation_required: 400,
  challenge_required: 400,
  challenge_failed: 400,
  too_long: 400,
  unauthorized: 401,
  invalid_recovery_code: 401,
  suspended: 403,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  already_linked: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  upgrade_required: 426,
  rate_limited: 429,
  headers_too_large: 431,
  internal: 500,
  ai_unavailable: 503,
  provider_unavailable: 503,
  unavailable: 503,
};
const SOCKET_CODES = ['bad_request', 'unauthorized', 'rate_limited', 'not_in_chat', 'inbox_full', 'too_long', 'not_found', 'suspended', 'too_many_connections', 'ai_unavailable', 'internal', 'unavailable', 'partner_away', 'resume_pending', 'challenge_required', 'challenge_failed'];

/** Rows of the table under "### Error codes" in docs/protocol.md: code → [HTTP status, socket]. */
function documented(): Map<string, { http: number | undefined; socket: boolean }> {
  const text = fs.readFileSync(path.join(root, 'docs/protocol.md'), 'utf8');
  const section = text.slice(text.indexOf('### Error codes'));
  const rows = new Map<string, { http: number | undefined; socket: boolean }>();
  for (const line of section.split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const cells = line.split('|').map((c) => c.trim());
    const code = /^`([a-z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!code) continue;
    rows.set(code, { http: cells[2] ? Number(cells[2]) : undefined, socket: cells[3] === 'yes' });
  }
  return rows;
}

/** Quoted snake_case strings next to `code` in the server's source: the codes it can send. */
function codesInSource(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts')) {
        const text = fs.readFileSync(file, 'utf8');
        const patterns = [
          /code: '([a-z_]+)'/g,
          /(?:refuse|httpError|errorFrame|\.error|new AppError)\('([a-z_]+)'/g,
        ];
        for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.add(m[1]!);
      }
    }
  };
  walk(path.join(root, 'src/server'));
  return found;
}

describe('error catalogue', () => {
  it('keeps every HTTP status of the contract', () => {
    const statuses = Object.fromEntries(Object.entries(ERRORS).flatMap(([code, spec]) => ('http' in spec ? [[code, spec.http]] : [])));
    expect(statuses).toEqual(HTTP_STATUSES);
    for (const code of ERROR_CODES.filter(isHttp)) expect(new AppError(code).status, code).toBe(HTTP_STATUSES[code]);
  });

  it('lists exactly the socket codes the server sends', () => {
    expect([...SOCKET_ERROR_CODES].sort()).toEqual([...SOCKET_CODES].sort());
    expect(errorFrame('rate_limited', undefined, { retryAfterMs: 5 })).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: ERRORS.rate_limited.message,
      retryAfterMs: 5,
    });
  });

  it('is documented once, as it is, in docs/protocol.md', () => {
    const rows = documented();
    expect([...rows.keys()].sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      const spec = ERRORS[code];
      expect(rows.get(code), code).toEqual({ http: 'http' in spec ? spec.http : undefined, socket: 'socket' in spec });
    }
  });

  it('holds every code the server source sends', () => {
    const known = new Set<string>(ERROR_CODES);
    const unknown = [...codesInSource()].filter((code) => !known.has(code));
    expect(unknown).toEqual([]);
  });
});
