// The `tokentrail` package's entry: the offline library (src/index.ts) and the typed HTTP client
// for a running API (api/client.ts). Kept outside src/ because src/ never imports api/.
export * from '../src/index.ts';
export { createClient, type TokentrailClient, type ClientOptions } from '../api/client.ts';
