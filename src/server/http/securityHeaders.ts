/** Where the Cloudflare Turnstile widget comes from: allowed by the CSP only when SIGNUP_CHALLENGE=turnstile. */
export const TURNSTILE_ORIGIN = 'https://challenges.cloudflare.com';

/** Headers on every response, HTML, API, assets and errors alike (P10, P12, P15). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The policy with the Turnstile widget's script and frame allowed (nothing else widens). */
export const CONTENT_SECURITY_POLICY_TURNSTILE = CONTENT_SECURITY_POLICY.replace("script-src 'self'", `script-src 'self' ${TURNSTILE_ORIGIN}`).concat(
  `; frame-src ${TURNSTILE_ORIGIN}`,
);

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=(), browsing-topics=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export const HSTS = 'max-age=31536000; includeSubDomains';
