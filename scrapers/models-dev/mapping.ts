// models.dev provider ids → tokentrail provider ids. One table; ids not listed map to themselves,
// with characters a provider id cannot hold turned into `-` (`wafer.ai` → `wafer-ai`). A test
// round-trips it (no two catalog ids land on one tokentrail id unless listed in SAME_PROVIDER).
export const MODELS_DEV_PROVIDERS: Record<string, string> = {
  moonshotai: 'moonshot',
  'moonshotai-cn': 'moonshot-cn',
  togetherai: 'together',
  'fireworks-ai': 'fireworks',
  'novita-ai': 'novita',
  'google-vertex': 'google-vertex',
  'google-vertex-anthropic': 'google-vertex-anthropic',
  'amazon-bedrock': 'amazon-bedrock',
  azure: 'azure',
  'azure-cognitive-services': 'azure-cognitive-services',
  'stepfun-ai': 'stepfun-ai',
  'wafer.ai': 'wafer-ai',
};

export function modelsDevProvider(id: string): string {
  return MODELS_DEV_PROVIDERS[id] ?? id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}
