// Types of format.js for the server-side views (the browser loads the .js as is).
import type { Conditions } from '../../../src/model.ts';

export declare const COMPONENT_ORDER: string[];
export declare function componentLabel(component: string): string;
export declare function compareComponents(a: string, b: string): number;
export declare function formatTokens(n: number): string;
export declare function conditionParts(conditions: Conditions | undefined | null): string[];
export declare function conditionsShort(conditions: Conditions | undefined | null): string;
export declare function conditionsKey(conditions: Conditions | undefined | null): string;
export declare function formatDecimal(v: number | string | null | undefined): string;
export declare function formatAmount(n: number | string | null | undefined): string;
export declare function formatMoney(n: number | string | null | undefined, currency: string): string;
export declare function formatPct(p: number | null | undefined): string;
export declare function formatInstant(iso: string | null | undefined): string;
export declare function isoDate(msOrIso: number | string): string;
export declare function formatAge(iso: string, nowMs: number): string;
export declare function changeBadge(type: string): { label: string; tone: 'cut' | 'increase' | 'promo' | 'added' | 'removed' | 'info' };
export declare function modelHref(id: string): string;
export declare function problemText(problem: unknown): string;
