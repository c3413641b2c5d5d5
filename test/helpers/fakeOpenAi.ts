/**
 * A local stand-in for an OpenAI-compatible chat-completions server (xAI,
 * Ollama, ...), on 127.0.0.1, so the real `openai` client is exercised end
 * to end without leaving the machine.
 */
import http from 'node:http';

type Turn = { role: string; content: string };
export type FakeRequest = { path: string; authorization: string | undefined; model: string; messages: Turn[]; maxTokens: number | undefined };

export type FakeOpenAi = {
  url: string;
  requests: FakeRequest[];
  /** When true, every request fails with 500. */
  failing: boolean;
  close(): Promise<void>;
};

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const fake: Omit<FakeOpenAi, 'url' | 'close'> = { requests: [], failing: false };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as { model: string; messages: Turn[]; max_tokens?: number };
      fake.requests.push({ path: req.url, authorization: req.headers.authorization, model: parsed.model, messages: parsed.messages, maxTokens: parsed.max_tokens });
      if (fake.failing) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'boom', type: 'server_error' } }));
        return;
      }
      const system = parsed.messages.find((m) => m.role === 'system')?.content ?? '';
      const lastUser = [...parsed.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      const to = /\(([a-z]{2,3})\)/.exec(system)?.[1];
      const content = system.startsWith('Translate') ? `[${to}] ${lastUser}` : `AI says: ${lastUser}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: parsed.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
