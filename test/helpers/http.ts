/** Small HTTP helpers over fetch for tests. */
export type ApiResponse<T = Record<string, unknown>> = { status: number; body: T; headers: Headers };

export async function api<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

export type SignUp = {
  account: { id: string; nickname: string; interests: string[]; createdAt: string; linked: { google: boolean } };
  recoveryCode: string;
  token: string;
};

let counter = 0;
/** `proof`: a solved challenge, for a server with SIGNUP_CHALLENGE on (test servers have it off unless a test turns it on). */
export async function signUp(base: string, interests: string[] = [], nickname = `user${++counter}`, proof?: string): Promise<SignUp> {
  const res = await api<SignUp>(base, 'POST', '/api/accounts', { body: { nickname, interests, adult: true, proof } });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
