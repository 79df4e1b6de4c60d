// LiteLLM `litellm_provider` ids → tokentrail provider ids. One table, one to one (a test inverts
// it); ids not listed map to themselves with `_` turned into `-` (`lambda_ai` → `lambda-ai`).
// LITELLM_SAME_PROVIDER names LiteLLM ids that are one provider's other endpoint or model family
// (`bedrock_converse` is Bedrock's Converse API; every `vertex_ai-<family>` id is Vertex's, see
// litellmSliceProvider): they are read as that provider's slice. Codestral's own endpoint stays
// `codestral` (priced apart from Mistral's API). Bedrock, Vertex and Azure are providers of their
// own, as in the models.dev table (`amazon-bedrock`, `google-vertex`, `google-vertex-anthropic`,
// `azure`); LiteLLM states no base model, so no upstream link is made.
export const LITELLM_PROVIDERS: Record<string, string> = {
  bedrock: 'amazon-bedrock',
  gemini: 'google',
  vertex_ai: 'google-vertex',
  'vertex_ai-anthropic_models': 'google-vertex-anthropic',
  azure_ai: 'azure-ai',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
  dashscope: 'alibaba',
  meta_llama: 'meta',
  friendliai: 'friendli',
  gmi: 'gmicloud',
  snowflake: 'snowflake-cortex',
  cloudflare: 'cloudflare-workers-ai',
  vercel_ai_gateway: 'vercel',
  voyage: 'voyageai',
  nvidia_nim: 'nvidia',
  amazon_nova: 'amazon-nova',
};

/** LiteLLM ids read as another LiteLLM id's slice: id → the id whose provider it is. */
export const LITELLM_SAME_PROVIDER: Record<string, string> = {
  bedrock_converse: 'bedrock',
  azure_text: 'azure',
  'text-completion-openai': 'openai',
  cohere_chat: 'cohere',
  'text-completion-codestral': 'codestral',
  'text-completion-inception': 'inception',
  'fireworks_ai-embedding-models': 'fireworks_ai',
  meta: 'meta_llama',
  palm: 'gemini',
};

/** Key prefixes that name a provider other than by its own id (`vertex_ai/claude-…` is Vertex's Anthropic models). */
export const LITELLM_KEY_PREFIXES: Record<string, string[]> = {
  'vertex_ai-anthropic_models': ['vertex_ai'],
};

/** The LiteLLM id whose slice an entry of `id` belongs to. Every `vertex_ai-<family>` id
 * (`vertex_ai-language-models`, `vertex_ai-mistral_models`, the older `vertex_ai-chat-models`, …)
 * is Vertex's, except those LITELLM_PROVIDERS names a provider of their own (Anthropic on Vertex). */
export function litellmSliceProvider(id: string): string {
  if (id.startsWith('vertex_ai-') && !(id in LITELLM_PROVIDERS)) return 'vertex_ai';
  return LITELLM_SAME_PROVIDER[id] ?? id;
}

export function litellmProvider(id: string): string {
  const base = litellmSliceProvider(id);
  return LITELLM_PROVIDERS[base] ?? base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/**
 * The model part of a LiteLLM key: a first path segment that names the entry's own provider
 * (`gemini/`, `bedrock/`, `azure/`, `vertex_ai/`, `openrouter/`, …) is the routing prefix, not part
 * of the provider's model name; anything else (`us.anthropic.…`, `accounts/fireworks/models/…`,
 * `us-east-1/…` after `bedrock/`) is kept.
 */
export function litellmModelName(key: string, provider: string): { name: string; prefix: string | null } {
  const slash = key.indexOf('/');
  if (slash <= 0) return { name: key, prefix: null };
  const seg = key.slice(0, slash);
  const own = seg === provider || seg === litellmSliceProvider(provider) || litellmProvider(seg) === litellmProvider(provider) || (LITELLM_KEY_PREFIXES[provider] ?? []).includes(seg);
  return own ? { name: key.slice(slash + 1), prefix: seg } : { name: key, prefix: null };
}

/**
 * LiteLLM key prefixes that are a condition of the model after them, not a model (src/catalog/identity.ts):
 * Anthropic's fast mode and US-only inference (`inference_geo: "us"`), the variants its own pricing
 * page states (scrapers/anthropic: `fast-mode`, `us-only`), and both at once; Azure OpenAI's
 * deployment types, priced apart (Data Zone US / EU, Global). Their prices become lines of the
 * model with `conditions.variant`.
 */
export const LITELLM_VARIANT_PREFIXES: Record<string, Record<string, { variant: string }>> = {
  anthropic: { 'fast/': { variant: 'fast-mode' }, 'us/': { variant: 'us-only' }, 'fast/us/': { variant: 'fast-mode-us-only' } },
  azure: { 'us/': { variant: 'data-zone-us' }, 'eu/': { variant: 'data-zone-eu' }, 'global/': { variant: 'global' } },
  'azure-ai': { 'global/': { variant: 'global' } },
};
