import type { z } from 'zod';
import { badRequest } from '../errors.js';
import { firstIssue } from '../zodIssue.js';

/** Validates a JSON body; unknown fields and wrong types are a 400 with the first problem named. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The body must be a JSON object.');
  }
  const result = schema.safeParse(body);
  if (!result.success) throw badRequest(firstIssue(result.error) ?? 'The body is not valid.');
  return result.data;
}
