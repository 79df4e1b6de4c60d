// The ECB source fetched over real HTTP (the saved daily XML served on 127.0.0.1), stored, and
// scheduled: one instance per slot; a broken page stores nothing and the rates stand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FxScheduler, scrapeFx } from '../src/fx/scrape.ts';
import { rateAt } from '../src/fx/store.ts';
import { Slots } from '../src/scheduler/schedule.ts';
import ecbFx from '../scrapers/ecb-fx/index.ts';
import { ECB_FIXTURES } from '../scrapers/ecb-fx/regen-fixtures.ts';
import { freshDatabase } from './helpers/db.ts';
import { startTestServer, type TestServer } from './helpers/http.ts';

const DAILY = readFileSync(join(ECB_FIXTURES, 'eurofxref-daily-2026-07-06.xml'));
let http: TestServer;
let body: Buffer | string = DAILY;
beforeAll(async () => {
  http = await startTestServer((req, res) => {
    if (req.url === '/robots.txt') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/xml' }).end(body);
  });
});
afterAll(() => http.close());
const fetchUrl = (p: { url: string }) => `${http.url}/${p.url.split('/').pop()}`;
const fast = { retries: 0, robots: true };

describe('scrapeFx', () => {
  it('stores a fetched publication with its retrieval as the source', async () => {
    body = DAILY;
    const d = await freshDatabase();
    const runs = await scrapeFx(d, ecbFx, { fetchUrl, staticOptions: fast, now: () => Date.parse('2026-07-06T15:31:00Z') });
    expect(runs.map((r) => [r.url, r.outcome, r.days])).toEqual([
      ['https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml', 'ok', 1],
      ['https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml', 'ok', 1],
    ]);
    const r = await rateAt(d.db, { from: 'EUR', to: 'USD', at: Date.parse('2026-07-06T18:00:00Z') });
    expect(r).toMatchObject({ rate: '1.1415', rateDate: '2026-07-06', rateSource: { url: 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml', retrievedAt: '2026-07-06T15:31:00.000Z' } });
    d.close();
  });

  it('a page that is not the ECB envelope stores nothing', async () => {
    body = '<html><body>Maintenance</body></html>';
    const d = await freshDatabase();
    const runs = await scrapeFx(d, ecbFx, { fetchUrl, staticOptions: fast });
    expect(runs.every((r) => r.outcome === 'failed' && /LayoutChangedError/.test(r.reason!))).toBe(true);
    expect(await rateAt(d.db, { from: 'EUR', to: 'USD', at: Date.parse('2026-07-06T18:00:00Z') })).toBeNull();
    d.close();
  });
});

describe('FxScheduler', () => {
  it('runs after the ECB publication on weekdays, TOKENTRAIL_FX_SCHEDULE overrides, off disables', async () => {
    const d = await freshDatabase();
    const def = new FxScheduler({ database: d, sources: [ecbFx], env: {} });
    expect(def.scheduled()).toEqual([{ source: 'ecb', pattern: '30 15 * * 1-5' }]);
    const slots = new Slots('30 15 * * 1-5');
    // Friday 2026-07-10 16:00 UTC → the next slot is Monday 15:30 UTC (after ~16:00 CET publication).
    expect(new Date(slots.after(Date.parse('2026-07-10T16:00:00Z'))!).toISOString()).toBe('2026-07-13T15:30:00.000Z');
    expect(new FxScheduler({ database: d, sources: [ecbFx], env: { TOKENTRAIL_FX_SCHEDULE: '0 16 * * *' } }).scheduled()[0].pattern).toBe('0 16 * * *');
    expect(new FxScheduler({ database: d, sources: [ecbFx], env: { TOKENTRAIL_FX_SCHEDULE: 'off' } }).scheduled()).toEqual([]);
    expect(() => new FxScheduler({ database: d, sources: [ecbFx], env: { TOKENTRAIL_FX_SCHEDULE: 'soon' } })).toThrow(/TOKENTRAIL_FX_SCHEDULE/);
    d.close();
  });

  it('one instance takes a slot; the second finds it taken', async () => {
    body = DAILY;
    const d = await freshDatabase();
    const slot = Date.parse('2026-07-06T15:30:00Z');
    const opts = { database: d, sources: [ecbFx], env: {}, now: () => slot + 60_000, scrape: { fetchUrl, staticOptions: fast } };
    const a = await new FxScheduler(opts).runSlot('ecb', slot);
    const b = await new FxScheduler(opts).runSlot('ecb', slot);
    expect(a!.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    expect(b).toBeNull();
    d.close();
  });
});

describe('exportFx', () => {
  it('import then export reproduces data/fx/ecb.json byte for byte; fetched days join it', async () => {
    const { importFx } = await import('../src/fx/import.ts');
    const { exportFx } = await import('../src/fx/export.ts');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { DATA_DIR } = await import('./helpers/server.ts');
    const d = await freshDatabase();
    await importFx(d, DATA_DIR);
    const out = mkdtempSync(join(tmpdir(), 'tokentrail-fx-'));
    const r = await exportFx(d.db, out);
    expect(r.written).toEqual([join(out, 'fx', 'ecb.json')]);
    expect(readFileSync(join(out, 'fx', 'ecb.json'), 'utf8')).toBe(readFileSync(join(DATA_DIR, 'fx', 'ecb.json'), 'utf8'));
    expect((await exportFx(d.db, out)).written).toEqual([]);
    // A later fetch adds its days, cited by its retrieval. CONSTRUCTED: the real 2026-07-06 file
    // relabelled 2026-07-07 stands for the next publication (only in this temp database).
    body = DAILY.toString().replace(/2026-07-06/g, '2026-07-07');
    await scrapeFx(d, ecbFx, { fetchUrl, staticOptions: fast, now: () => Date.parse('2026-07-07T15:31:00Z') });
    await exportFx(d.db, out);
    const text = readFileSync(join(out, 'fx', 'ecb.json'), 'utf8');
    expect(text).toContain('{"date": "2026-07-07", "origin": "fetch-eurofxref-daily-2026-07-07"');
    expect(text).toContain('"fetch-eurofxref-daily-2026-07-07": {"url":"https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"');
    d.close();
  }, 60_000);
});
