/**
 * The LanguageModel port: one chat-completion call. xAI (Grok) and any
 * OpenAI-compatible server (Ollama, llama.cpp, vLLM) speak the same API, so
 * one client serves all of them; the base URL decides.
 */
import type { Config } from '../config.js';

export type ChatTurn = { role: 'system' | 'user' | 'assistant'; content: string };

export interface LanguageModel {
  complete(turns: readonly ChatTurn[], options?: { maxTokens?: number }): Promise<string>;
}

export class LanguageModelError extends Error {}

/** The SDK is loaded only when a provider is configured. */
export async function openLanguageModel(ai: Config['ai']): Promise<LanguageModel | undefined> {
  if (ai.provider === 'none' || !ai.baseUrl) return undefined;
  const { default: OpenAI } = await import('openai');
  const client = new OpenAI({
    apiKey: ai.apiKey ?? 'none',
    baseURL: ai.baseUrl,
    timeout: ai.timeoutMs,
    maxRetries: 1,
  });
  return {
    async complete(turns, options = {}) {
      try {
        const res = await client.chat.completions.create({
          model: ai.model,
          messages: turns.map((t) => ({ role: t.role, content: t.content })),
          max_tokens: options.maxTokens ?? 300,
          temperature: 0.7,
        });
        const text = res.choices[0]?.message?.content?.trim();
        if (!text) throw new LanguageModelError('empty answer');
        return text;
      } catch (err) {
        if (err instanceof LanguageModelError) throw err;
        // Only the kind of failure travels on: the SDK's error may quote the request.
        throw new LanguageModelError(err instanceof OpenAI.APIError ? `provider answered ${err.status ?? 'no status'}` : 'provider unreachable');
      }
    },
  };
}
