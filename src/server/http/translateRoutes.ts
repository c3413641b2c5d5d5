/** `POST /api/translate`: a received message in the reader's language (P11). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LIMITS } from '../../shared/limits.js';
import { isTextTooLong } from '../../shared/protocol.js';
import { AiBudgetExhaustedError } from '../ai/aiBudget.js';
import { LanguageModelError } from '../ai/languageModel.js';
import { primaryLanguage, type Translator } from '../ai/translator.js';
import type { LimitResult, RateLimits } from '../domain/rateLimits.js';
import { AppError, badRequest, notFound } from '../errors.js';
import { auth, signedIn } from './authentication.js';
import type { ClientIpResolver } from './clientIp.js';
import { parseBody } from './validation.js';

const Body = z.strictObject({ text: z.string().min(1), to: z.string().min(2).max(35) });

function limited(verdict: LimitResult, message: string): void {
  if (!verdict.ok) throw new AppError('rate_limited', message, 429, { retryAfterMs: verdict.retryAfterMs });
}

export function registerTranslateRoutes(
  app: FastifyInstance,
  limits: RateLimits,
  translator: Translator | undefined,
  clientIp: ClientIpResolver,
): void {
  // No AI for a suspended account (403 suspended).
  app.post('/api/translate', auth('active'), async (request, reply) => {
    const { account } = signedIn(request);
    if (!translator) throw notFound('Translation is not enabled on this server.');
    const body = parseBody(Body, request.body);
    if (isTextTooLong(body.text)) throw new AppError('too_long', `Texts are at most ${LIMITS.textMax} characters.`, 400);
    const to = primaryLanguage(body.to);
    if (!to) throw badRequest('`to` must be a language tag such as "en" or "pt-BR".');
    limited(await limits.consume('translate', account.id), 'Too many translations; try again shortly.');
    const ip = clientIp(request.raw.socket.remoteAddress, request.headers);
    limited(await limits.consumeForAddress('translateIp', ip), 'Too many translations from your network; try again shortly.');
    try {
      return await translator.translate(body.text, to);
    } catch (err) {
      if (err instanceof AiBudgetExhaustedError) {
        reply.header('retry-after', String(Math.ceil(err.retryAfterMs / 1000)));
        throw new AppError('ai_unavailable', 'Translation is paused on this server for now; try again later.', 503, { retryAfterMs: err.retryAfterMs });
      }
      if (err instanceof LanguageModelError) throw new AppError('ai_unavailable', 'Translation is unavailable just now; try again later.', 503);
      throw err;
    }
  });
}
