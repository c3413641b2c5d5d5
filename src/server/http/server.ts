/**
 * The Fastify instance with everything that is not a route: JSON-only body
 * parsing, security and cache headers, a request log line without the
 * address, the error and not-found handlers, HTTP timeouts and the built
 * web app's static files.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { Unavailable } from '../domain/unavailable.js';
import { AppError, httpError } from '../errors.js';
import { Tally } from '../tally.js';
import { clientErrorHandler } from './clientErrors.js';
import { httpTimeouts } from './httpTimeouts.js';
import { CONTENT_SECURITY_POLICY_TURNSTILE, HSTS, SECURITY_HEADERS } from './securityHeaders.js';

const API_BODY_LIMIT = 64 * 1024;

/**
 * `webRoot`: where the built web app would be; served only if it holds an index.html.
 * `errors`: counts the error responses by code (for /metrics).
 */
export async function createHttpServer(config: Config, log: Logger, webRoot: string, errors: Tally = new Tally()): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Fastify's own request lines carry the remote address: off (see onResponse below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: API_BODY_LIMIT,
    return503OnClosing: true,
    forceCloseConnections: true,
    ...httpTimeouts(config.http),
    clientErrorHandler,
  });

  acceptJsonOnly(app);
  const headers = config.challenge.mode === 'turnstile' ? { ...SECURITY_HEADERS, 'content-security-policy': CONTENT_SECURITY_POLICY_TURNSTILE } : SECURITY_HEADERS;

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers);
    // API answers carry codes, tokens and inboxes: no cache, shared or private, may keep one.
    if (/^\/api(?:[/?]|$)/.test(request.url)) reply.header('cache-control', 'no-store');
    const forwardedHttps = config.trustProxy.kind !== 'none' && request.headers['x-forwarded-proto'] === 'https';
    if (request.protocol === 'https' || forwardedHttps) reply.header('strict-transport-security', HSTS);
  });
  // Method, route pattern, status and time only: never the address, headers or body.
  app.addHook('onResponse', async (request, reply) => {
    log.debug(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  app.setErrorHandler((thrown: FastifyError | AppError | Unavailable, _request, reply) => {
    const error = thrown instanceof Unavailable ? httpError('unavailable', undefined, { retryAfterMs: thrown.retryAfterMs }) : thrown;
    if (error instanceof AppError) {
      errors.add(error.code);
      if ((error.status === 429 || error.code === 'unavailable') && typeof error.extra.retryAfterMs === 'number') {
        reply.header('retry-after', String(Math.ceil(error.extra.retryAfterMs / 1000)));
      }
      return reply.code(error.status).send(error.toBody());
    }
    const known = fastifyErrorToApp(error);
    if (known) {
      errors.add(known.code);
      return reply.code(known.status).send(known.toBody());
    }
    errors.add('internal');
    log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(new AppError('internal', 'Something went wrong on our side.', 500).toBody());
  });

  const served = fs.existsSync(path.join(webRoot, 'index.html')) ? webRoot : undefined;
  // The app's routes are hash routes (#/settings…): the only page is `/`. Any other path is a real 404,
  // a small page for a browser outside /api, the JSON error everywhere else.
  app.setNotFoundHandler((request, reply) => {
    errors.add('not_found');
    const wantsPage = (request.method === 'GET' || request.method === 'HEAD') && !/^\/api(?:[/?]|$)/.test(request.url);
    if (wantsPage) return reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_FOUND_PAGE);
    return reply.code(404).send(new AppError('not_found', 'There is nothing here.', 404).toBody());
  });
  if (served) await serveWebApp(app, served);
  else log.warn('web app not built (npm run build:web); serving the API only');
  return app;
}

/** JSON only. Empty bodies are allowed (e.g. DELETE with a Content-Type); zod checks the rest. */
function acceptJsonOnly(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError('bad_request', 'The body is not valid JSON.', 400));
    }
  });
}

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><title>Not found · METSONY</title></head>
<body><main><h1>Nothing here</h1><p>This address does not exist. <a href="/">Go to METSONY</a></p></main></body>
</html>
`;

async function serveWebApp(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    // The build writes a .br and a .gz twin of every text file (vite.config.ts): sent as they are, with Content-Encoding.
    preCompressed: true,
    cacheControl: false, // set below: assets are immutable, HTML is revalidated
    index: ['index.html'],
    setHeaders: (reply, served) => {
      const filePath = served.replace(/\.(?:br|gz)$/, '');
      if (filePath.endsWith('.html')) reply.header('content-type', 'text/html; charset=utf-8');
      if (filePath.includes(`${path.sep}assets${path.sep}`)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      else reply.header('cache-control', 'no-cache');
    },
  });
}

function fastifyErrorToApp(error: FastifyError): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send JSON with Content-Type: application/json.', 415);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The body is too large.', 413);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('bad_request', 'The body is missing or malformed.', 400);
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('bad_request', 'The request is malformed.', error.statusCode);
  }
  return undefined;
}
