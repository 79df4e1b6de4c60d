// simonw/llm-prices vendor ids (the `vendor` field and file name) → tokentrail provider ids.
export const LLM_PRICES_VENDORS: Record<string, string> = {
  amazon: 'amazon-bedrock',
  'meta-ai': 'meta',
  'moonshot-ai': 'moonshot',
  qwen: 'alibaba',
  xai: 'xai',
};

export function llmPricesProvider(vendor: string): string {
  return LLM_PRICES_VENDORS[vendor] ?? vendor.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/**
 * llm-prices writes a long-context price as an entry of its own: `claude-sonnet-4.5-200k` "Claude
 * Sonnet 4 and 4.5 >200k", `gemini-2.5-pro-200k` "Gemini 2.5 Pro >200k". An id `<base>-<N>k` whose
 * name says "> N k" is the tier above N × 1000 input tokens of the model `<base>`
 * (src/catalog/identity.ts, rule context-tier); `gpt-4-32k` (a model, no ">") is not.
 */
export function llmPricesContextTier(local: string, model: { name: string } | undefined): { base: string; contextAbove: number } | null {
  const m = /^(.+)-(\d+)k$/.exec(local);
  if (!m || !model || !new RegExp(`>\\s*${m[2]}\\s*k\\b`, 'i').test(model.name)) return null;
  // `gemini-2.5-pro--200k` (a doubled dash in one commit) is gemini-2.5-pro's tier too.
  return { base: m[1].replace(/-+$/, ''), contextAbove: Number(m[2]) * 1000 };
}
