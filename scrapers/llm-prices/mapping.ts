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
