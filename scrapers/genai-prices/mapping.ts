// pydantic/genai-prices provider ids → tokentrail provider ids. Ids not listed map to themselves
// with `_` turned into `-` (`huggingface_groq` → `huggingface-groq`: Hugging Face's router in front
// of Groq is a provider of its own, its models linking to the upstream ones).
export const GENAI_PRICES_PROVIDERS: Record<string, string> = {
  aws: 'amazon-bedrock',
  'x-ai': 'xai',
  moonshotai: 'moonshot',
  'huggingface_fireworks-ai': 'huggingface-fireworks',
};

export function genaiPricesProvider(id: string): string {
  return GENAI_PRICES_PROVIDERS[id] ?? id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}
