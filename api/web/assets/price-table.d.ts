// Types of price-table.js for the server-side view (the browser loads the .js as is).
import type { OverviewRow } from '../../routes/overview.ts';

export type Spec = string | [string, Record<string, string | undefined | null | false>, ...Spec[]];
export interface TableState {
  q: string;
  provider: string;
  currency: string;
  feature: string;
  /** Show every row in this currency (converted where not published); '' = as published. */
  show: string;
  sort: string;
  dir: 'asc' | 'desc';
  page: number;
}
export declare const PAGE_SIZE: number;
export declare const SHOW_CURRENCIES: string[];
export declare const SORT_KEYS: string[];
export declare const COLUMNS: Array<{ key: string; label: string; title?: string; num?: boolean }>;
export declare function words(s: string): string[];
export declare function matchesQuery(row: OverviewRow, q: string): boolean;
export declare function selectRows(rows: OverviewRow[], state: TableState, resolved?: Set<string> | null): OverviewRow[];
export declare function filterRows(rows: OverviewRow[], state: TableState, resolved?: Set<string> | null): OverviewRow[];
export declare function sortRows(rows: OverviewRow[], sort?: string, dir?: string): OverviewRow[];
export declare function pageOf(rows: OverviewRow[], page: number): { page: number; pages: number; rows: OverviewRow[] };
export declare function stateFromParams(params: URLSearchParams): TableState;
export declare function sparkPath(points: Array<[string, number | null]>, nowMs: number, w?: number, h?: number): string;
export declare function rowSpec(row: OverviewRow, nowMs: number): Spec;
export declare function specToHtml(spec: Spec): string;
export declare function modelIdsIn(body: unknown): Set<string>;
export declare function stateParams(s: TableState): Record<string, string>;
