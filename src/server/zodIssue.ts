import type { z } from 'zod';

/** The first problem zod found, as "path: message", for the client that sent it (never logged). */
export function firstIssue(error: z.ZodError): string | undefined {
  const issue = error.issues[0];
  if (!issue) return undefined;
  return issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
}
