/** `POST /api/translate`: a received message in the reader's language (P11). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LIMITS } from '../../shared/limits.js';
import { isTextTooLong } from '../../shared/protocol.js';
import { LanguageModelError } from '../ai/languageModel.js';
import { primaryLanguage, type Translator } from '../ai/translator.js';
import type { Accounts } from '../domain/accounts.js';
import type { RateLimits } from '../domain/rateLimits.js';
import { AppError, badRequest, notFound } from '../errors.js';
import { bearerToken } from './accountsRoutes.js';
import { parseBody } from './validation.js';

const Body = z.strictObject({ text: z.string().min(1), to: z.string().min(2).max(35) });

export function registerTranslateRoutes(app: FastifyInstance, accounts: Accounts, limits: RateLimits, translator: Translator | undefined): void {
  app.post('/api/translate', async (request) => {
    const account = await accounts.authenticate(bearerToken(request));
    if (!translator) throw notFound('Translation is not enabled on this server.');
    const body = parseBody(Body, request.body);
    if (isTextTooLong(body.text)) throw new AppError('too_long', `Texts are at most ${LIMITS.textMax} characters.`, 400);
    const to = primaryLanguage(body.to);
    if (!to) throw badRequest('`to` must be a language tag such as "en" or "pt-BR".');
    const verdict = await limits.consume('translate', account.id);
    if (!verdict.ok) {
      throw new AppError('rate_limited', 'Too many translations; try again shortly.', 429, { retryAfterMs: verdict.retryAfterMs });
    }
    try {
      return await translator.translate(body.text, to);
    } catch (err) {
      if (err instanceof LanguageModelError) throw new AppError('ai_unavailable', 'Translation is unavailable just now; try again later.', 503);
      throw err;
    }
  });
}
