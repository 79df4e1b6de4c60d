// extractUsage on real response examples from the providers' documentation (test/fixtures/usage,
// each with its source in .meta.json): cached, cache-write and reasoning tokens land where the
// quote counts them, and the result prices as a quote body.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractUsage, quote, usageFormat } from '../src/index.ts';
import { BadInputError } from '../src/errors.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures/usage');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
const meta = (name: string): { url: string; fidelity: string } => JSON.parse(readFileSync(join(FIXTURES, `${name}.meta.json`), 'utf8'));

describe('extractUsage on documented responses', () => {
  it('OpenAI Chat Completions: prompt_tokens include the cached ones; completion_tokens include reasoning', () => {
    expect(usageFormat(fixture('openai-chat'))).toBe('openai-chat');
    expect(extractUsage(fixture('openai-chat'))).toEqual({ inputTokens: 19, outputTokens: 10 });
  });

  it('OpenAI Responses: input_tokens and output_tokens', () => {
    expect(usageFormat(fixture('openai-responses'))).toBe('openai-responses');
    expect(extractUsage(fixture('openai-responses'))).toEqual({ inputTokens: 36, outputTokens: 87 });
  });

  it('Anthropic Messages: input_tokens exclude cache reads and writes, which are added', () => {
    expect(usageFormat(fixture('anthropic-messages'))).toBe('anthropic-messages');
    // 2095 uncached + 2051 written + 2051 read ("total input tokens is the summation" in the docs).
    expect(extractUsage(fixture('anthropic-messages'))).toEqual({ inputTokens: 6197, cacheReadTokens: 2051, cacheWriteTokens: 2051, outputTokens: 503 });
  });

  it('Gemini: thoughts are billed as output (candidates 418 + thoughts 438)', () => {
    expect(usageFormat(fixture('gemini-generate-content'))).toBe('gemini');
    expect(extractUsage(fixture('gemini-generate-content'))).toEqual({ inputTokens: 34, outputTokens: 856 });
  });

  it('DeepSeek: prompt = cache hits + misses; the 81 reasoning tokens are inside the 92 completion tokens', () => {
    expect(usageFormat(fixture('deepseek-chat'))).toBe('deepseek');
    expect(extractUsage(fixture('deepseek-chat'))).toEqual({ inputTokens: 6, outputTokens: 92 });
  });

  it('cache hits are carried over when a response has them (the same blocks with non-zero cache fields)', () => {
    const chat = fixture('openai-chat') as { usage: { prompt_tokens_details: { cached_tokens: number } } };
    chat.usage.prompt_tokens_details.cached_tokens = 12;
    expect(extractUsage(chat)).toEqual({ inputTokens: 19, cacheReadTokens: 12, outputTokens: 10 });
    const ds = fixture('deepseek-chat') as { usage: Record<string, number> };
    Object.assign(ds.usage, { prompt_tokens: 6, prompt_cache_hit_tokens: 4, prompt_cache_miss_tokens: 2 });
    expect(extractUsage(ds)).toEqual({ inputTokens: 6, cacheReadTokens: 4, outputTokens: 92 });
  });

  it('every fixture cites where it comes from', () => {
    for (const n of ['openai-chat', 'openai-responses', 'anthropic-messages', 'gemini-generate-content', 'deepseek-chat']) {
      expect(meta(n).url, n).toMatch(/^https:\/\//);
      expect(['real', 'excerpt']).toContain(meta(n).fidelity);
    }
  });

  it('refuses what is not a usage block, naming the field', () => {
    expect(() => extractUsage('text')).toThrow(BadInputError);
    expect(() => extractUsage({ choices: [] })).toThrow(/no usage block/);
    expect(() => extractUsage({ usage: { prompt_tokens: -1, completion_tokens: 1 } })).toThrow(/usage\.prompt_tokens/);
    expect(() => extractUsage({ usage: { prompt_tokens: 1.5, completion_tokens: 1 } })).toThrow(/whole number/);
    // Cache hits above the prompt: the provider's numbers disagree, so no quote is made from them.
    expect(() => extractUsage({ usage: { prompt_tokens: 1, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 5 } } })).toThrow(/cannot exceed/);
  });

  it('the extracted usage is a quote body: the DeepSeek response priced on V4-Pro in CNY', async () => {
    const usage = extractUsage(fixture('deepseek-chat'));
    const r = await quote({ models: ['deepseek/deepseek-v4-pro'], at: '2026-06-01T00:00:00Z', asOf: '2026-12-01T00:00:00Z', currency: 'CNY', usage });
    // 6 input × 3 元/M + 92 output × 6 元/M = 0.000018 + 0.000552
    expect(r.quotes[0]).toMatchObject({ currency: 'CNY', total: '0.00057' });
  });
});
