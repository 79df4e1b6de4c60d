// extractUsage: a provider's API response (its `usage` block) → the quote's usage shape, so a
// caller can price what a request really used: `quote({ models, usage: extractUsage(body) })`.
// Conventions follow the quote: inputTokens counts every prompt token, cache reads and writes
// included; reasoning / thinking tokens are billed as output and so counted in outputTokens.
import { BadInputError } from '../errors.ts';
import { Usage } from '../quote.ts';

export type UsageFormat = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini' | 'deepseek';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A token count the response states, or 0 when the field is absent; anything else is bad input. */
function count(o: Obj | undefined, key: string, where: string): number {
  const v = o?.[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new BadInputError(`${where}.${key}: expected a whole number of tokens, got ${JSON.stringify(v)}`, { field: `${where}.${key}` });
  return v;
}
const required = (o: Obj, key: string, where: string): number => {
  if (!(key in o)) throw new BadInputError(`${where}.${key} is missing`, { field: `${where}.${key}` });
  return count(o, key, where);
};
const sub = (o: Obj, key: string): Obj | undefined => (isObj(o[key]) ? (o[key] as Obj) : undefined);

/** Which API a response body comes from, by the fields its usage block carries. */
export function usageFormat(body: unknown): UsageFormat {
  if (!isObj(body)) throw new BadInputError('extractUsage: expected a JSON object (an API response body)');
  if (isObj(body.usageMetadata)) return 'gemini';
  const u = body.usage;
  if (!isObj(u)) throw new BadInputError('extractUsage: the response has no usage block (usage or usageMetadata)');
  if ('prompt_cache_hit_tokens' in u || 'prompt_cache_miss_tokens' in u) return 'deepseek';
  if ('prompt_tokens' in u) return 'openai-chat';
  if ('cache_creation_input_tokens' in u || 'cache_read_input_tokens' in u || body.type === 'message') return 'anthropic-messages';
  if ('input_tokens' in u) return 'openai-responses';
  throw new BadInputError('extractUsage: unrecognised usage block (expected OpenAI, Anthropic, Gemini or DeepSeek fields)');
}

function checked(u: Usage, format: UsageFormat): Usage {
  const r = Usage.safeParse(u);
  if (!r.success) throw new BadInputError(`extractUsage (${format}): ${r.error.issues[0].message}`, { field: 'usage' });
  const out: Usage = { inputTokens: u.inputTokens, outputTokens: u.outputTokens };
  if (u.cacheReadTokens) out.cacheReadTokens = u.cacheReadTokens;
  if (u.cacheWriteTokens) out.cacheWriteTokens = u.cacheWriteTokens;
  return out;
}

/**
 * One request's usage in the quote's shape. Fields:
 * - OpenAI Chat Completions: prompt_tokens (cache included), prompt_tokens_details.cached_tokens,
 *   completion_tokens (reasoning included).
 * - OpenAI Responses: input_tokens, input_tokens_details.cached_tokens, output_tokens.
 * - Anthropic Messages: input_tokens counts only uncached tokens; cache_creation_input_tokens
 *   and cache_read_input_tokens are added to it.
 * - Gemini: promptTokenCount (cached content included) + toolUsePromptTokenCount;
 *   cachedContentTokenCount; candidatesTokenCount + thoughtsTokenCount.
 * - DeepSeek: prompt_tokens = prompt_cache_hit_tokens + prompt_cache_miss_tokens; completion_tokens.
 */
export function extractUsage(body: unknown): Usage {
  const format = usageFormat(body);
  const b = body as Obj;
  switch (format) {
    case 'gemini': {
      const m = b.usageMetadata as Obj;
      const w = 'usageMetadata';
      return checked(
        {
          inputTokens: count(m, 'promptTokenCount', w) + count(m, 'toolUsePromptTokenCount', w),
          cacheReadTokens: count(m, 'cachedContentTokenCount', w),
          outputTokens: count(m, 'candidatesTokenCount', w) + count(m, 'thoughtsTokenCount', w),
        },
        format,
      );
    }
    case 'deepseek': {
      const u = b.usage as Obj;
      const hit = count(u, 'prompt_cache_hit_tokens', 'usage');
      const prompt = 'prompt_tokens' in u ? count(u, 'prompt_tokens', 'usage') : hit + count(u, 'prompt_cache_miss_tokens', 'usage');
      return checked({ inputTokens: prompt, cacheReadTokens: hit, outputTokens: required(u, 'completion_tokens', 'usage') }, format);
    }
    case 'openai-chat':
      return openAiStyle(b.usage as Obj, ['prompt_tokens', 'prompt_tokens_details', 'completion_tokens'], format);
    case 'openai-responses':
      return openAiStyle(b.usage as Obj, ['input_tokens', 'input_tokens_details', 'output_tokens'], format);
    case 'anthropic-messages': {
      const u = b.usage as Obj;
      const read = count(u, 'cache_read_input_tokens', 'usage');
      const write = count(u, 'cache_creation_input_tokens', 'usage');
      return checked(
        { inputTokens: required(u, 'input_tokens', 'usage') + read + write, cacheReadTokens: read, cacheWriteTokens: write, outputTokens: required(u, 'output_tokens', 'usage') },
        format,
      );
    }
  }
}

/** OpenAI's two APIs name the same three counts differently: [input, its details, output]. */
function openAiStyle(u: Obj, [input, details, output]: [string, string, string], format: UsageFormat): Usage {
  return checked(
    { inputTokens: required(u, input, 'usage'), cacheReadTokens: count(sub(u, details), 'cached_tokens', `usage.${details}`), outputTokens: required(u, output, 'usage') },
    format,
  );
}
