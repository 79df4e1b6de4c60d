// `describe` for the browser suites: the real one when the global setup found Chromium, else a
// skipped one whose name says why (test/global-setup.ts prints the same reason once).
import { describe as vitestDescribe, inject } from 'vitest';

const chromium = inject('chromium');
const missing = inject('chromiumMissing');
// The workers use what the global setup found (it may have installed it after they started).
if (chromium) process.env.TOKENTRAIL_CHROMIUM = chromium;

type Describe = (name: string, fn: () => void) => void;
export const describe: Describe = chromium ? (name, fn) => vitestDescribe(name, fn) : (name, fn) => vitestDescribe.skip(`${name} — skipped: ${missing}`, fn);
