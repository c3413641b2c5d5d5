/**
 * Paging of newest-first lists (`?limit=&before=`): `before` is an opaque
 * cursor naming the last row of the page before, by its time and id.
 */
import { z } from 'zod';
import { badRequest } from '../errors.js';
import type { PageQuery } from '../store/store.js';
import { firstIssue } from '../zodIssue.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

const Cursor = z.tuple([z.iso.datetime(), z.string().min(1).max(128)]);

export const PageParams = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
  before: z.string().max(512).optional(),
});

export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('`before` is not a cursor this server gave.');
  }
  const result = Cursor.safeParse(parsed);
  if (!result.success) throw badRequest('`before` is not a cursor this server gave.');
  const [at, id] = result.data;
  return { at, id };
}

/** Validates a query string with `PageParams` (and whatever else `schema` adds); 400 with the first problem. */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const result = schema.safeParse(query ?? {});
  if (!result.success) throw badRequest(firstIssue(result.error) ?? 'The query is not valid.');
  return result.data;
}

export function pageQuery(params: z.infer<typeof PageParams>): PageQuery {
  return { limit: params.limit ?? DEFAULT_PAGE, ...(params.before ? { before: decodeCursor(params.before) } : {}) };
}

/** The cursor of the next page, or null when this one was the last. */
export function nextCursor<T>(rows: readonly T[], limit: number, key: (row: T) => { at: string; id: string }): string | null {
  const last = rows.at(-1);
  if (!last || rows.length < limit) return null;
  const { at, id } = key(last);
  return encodeCursor(at, id);
}
