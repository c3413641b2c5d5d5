import type { z } from 'zod';
import { badRequest } from '../errors.js';

/** Validates a JSON body; unknown fields and wrong types are a 400 with the first problem named. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The body must be a JSON object.');
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    throw badRequest(`${where}${issue?.message ?? 'invalid body'}`);
  }
  return result.data;
}
