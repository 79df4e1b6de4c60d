// Types of workload.js for the tests (the browser loads the .js as is).
export interface TimedUsage {
  at: string;
  inputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  outputTokens: number;
}
export declare const SLOTS: number;
export declare const MAX_LOG_ROWS: number;
export declare function slotInstant(date: string, s: number): number;
export declare function slotWeights(date: string, spread: 'uniform' | 'business' | 'profile', tz?: string, profile?: number[]): number[];
export declare function slotCounts(n: number, weights: number[]): number[];
export declare function dayGroups(date: string, counts: number[], usage: Omit<TimedUsage, 'at'>): Array<{ count: number; log: TimedUsage[] }>;
export declare function parseProfile(text: string): number[];
export declare function parseUsageLog(
  text: string,
  opts?: { inputIncludesCache?: boolean },
): { rows: Array<Required<TimedUsage> & { model: string }>; errors: string[] };
export declare function localModelFor(name: string, models: Array<{ id: string; aliases?: Array<{ alias: string }> }>): string | null;
