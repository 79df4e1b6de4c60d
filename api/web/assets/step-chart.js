// A step chart on uPlot (loaded as window.uPlot): prices hold until the next change, so each value
// is drawn flat up to the next x. Shaded bands (promotions) and vertical markers (now, the quoted
// date) are DOM elements over the plot: visible, hoverable for a title, and easy to test.
import { formatInstant } from './format.js';

export const PALETTE = ['#1d4ed8', '#c2410c', '#0f766e', '#7c3aed', '#be123c', '#4d7c0f', '#0369a1', '#a16207'];
const DAY = 86400;

/**
 * @param {HTMLElement} box  element to draw into (takes its width)
 * @param {{
 *   xs: number[],                         seconds, ascending
 *   series: {label: string, values: (number|null)[], color: string, dash?: number[], legend?: boolean, scale?: string}[],
 *       values[i] holds from xs[i] until xs[i+1]; the last x is where the chart ends (its value is ignored);
 *       `scale` names the y axis (default 'y', drawn left; a second one is drawn right, e.g. CNY beside USD)
 *   log?: boolean,                        logarithmic y (a 0.003625 cache price next to 12 output)
 *   axisLabels?: Record<string, string>,  y axis titles by scale (e.g. {y: 'USD', CNY: 'CNY'})
 *   bands?: {from: number, to: number, title: string}[],     seconds
 *   markers?: {x: number, label: string}[],                  seconds
 *   format: (v: number) => string,
 *   height?: number,
 * }} opts
 */
/** @returns the uPlot instance (call destroy() before dropping its box). */
export function drawStepChart(box, opts) {
  // The API's amounts are exact decimal strings; the chart draws doubles (the CSV keeps the strings).
  opts = { ...opts, series: opts.series.map((s) => ({ ...s, values: s.values.map((v) => (v === null || v === undefined ? null : Number(v))) })) };
  const U = window.uPlot;
  if (!U) throw new Error('the chart library did not load');
  const height = opts.height ?? 220;
  const overlays = [];

  const placeOverlays = (u) => {
    for (const el of overlays.splice(0)) el.remove();
    const width = u.over.clientWidth;
    const clamp = (px) => Math.min(Math.max(px, 0), width);
    for (const b of opts.bands ?? []) {
      const left = clamp(u.valToPos(b.from, 'x'));
      const right = clamp(u.valToPos(b.to, 'x'));
      if (right - left < 1) continue;
      const el = document.createElement('div');
      el.className = 'promo-band';
      el.dataset.from = new Date(b.from * 1000).toISOString();
      el.dataset.to = new Date(b.to * 1000).toISOString();
      el.title = b.title;
      el.style.left = `${left}px`;
      el.style.width = `${right - left}px`;
      u.over.append(el);
      overlays.push(el);
    }
    for (const m of opts.markers ?? []) {
      const x = u.valToPos(m.x, 'x');
      if (x < 0 || x > width) continue;
      const el = document.createElement('div');
      el.className = 'now-line';
      el.title = m.label;
      el.dataset.marker = m.label;
      el.style.left = `${x}px`;
      u.over.append(el);
      overlays.push(el);
    }
  };

  const data = closeSteps(opts.xs, opts.series.map((s) => s.values));
  const scaleNames = [...new Set(opts.series.map((s) => s.scale ?? 'y'))];
  if (!scaleNames.includes('y')) scaleNames.unshift('y');
  // Prices from zero on a linear axis, so a cut looks like the cut it is; on a log axis, a decade
  // around the values (0 has no place there; a free price is simply not drawn).
  const yScale = (name) =>
    opts.log
      ? {
          distr: 3,
          log: 10,
          range: (_u, min, max) => {
            const vals = opts.series.filter((s) => (s.scale ?? 'y') === name).flatMap((s) => s.values.filter((v) => v !== null && v > 0));
            const lo = vals.length ? Math.min(...vals) : (min ?? 1);
            const hi = vals.length ? Math.max(...vals) : (max ?? 10);
            return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi) + (hi === lo ? 1 : 0))];
          },
        }
      : { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] };
  const yAxis = (name, i) => ({
    scale: name,
    side: i === 0 ? 3 : 1,
    grid: { show: i === 0 },
    label: opts.axisLabels?.[name],
    labelSize: opts.axisLabels?.[name] ? 18 : 0,
    values: (_u, splits) => splits.map((v) => opts.format(v)),
    size: (_u, values) => (values ? Math.max(...values.map((s) => s.length)) * 7 + 20 : 50),
  });
  let ro = null;
  const width = Math.max(box.clientWidth, 240);
  const u = new U(
    {
      width,
      height,
      tzDate: (ts) => U.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { drag: { x: false, y: false } },
      // A static legend: each line's name and colour, no "—" placeholders while the cursor is away.
      legend: { live: false },
      scales: {
        // A little room before the first change, so its step does not sit on the axis.
        x: { time: true, range: (_u, min, max) => [min - (max - min) * 0.03, max] },
        ...Object.fromEntries(scaleNames.map((n) => [n, yScale(n)])),
      },
      axes: [{ space: 70, values: (_u, splits, _axis, _space, incr) => splits.map((v, i) => timeTick(v, incr, i === 0)) }, ...scaleNames.map(yAxis)],
      series: [
        { label: 'Time', value: (_u, v) => (v == null ? '—' : formatInstant(new Date(v * 1000).toISOString())) },
        ...opts.series.map((s) => ({
          label: s.label,
          scale: s.scale ?? 'y',
          stroke: s.color,
          width: 2,
          dash: s.dash,
          spanGaps: false,
          points: { show: false },
          paths: U.paths.stepped({ align: 1 }),
          value: (_u, v) => (v == null ? '—' : opts.format(v)),
        })),
      ],
      hooks: { draw: [placeOverlays], destroy: [() => ro.disconnect()] },
    },
    data,
    box,
  );
  // The time "series" and twin series (e.g. the dashed announced part of a line) stay out of the
  // legend; a legend entry is a line a reader can find on the chart.
  const rows = u.root.querySelectorAll('.u-legend .u-series');
  // (A static legend may leave the time series out: then the rows start at the first line.)
  const offset = rows.length > opts.series.length ? 1 : 0;
  if (offset && rows[0]) rows[0].hidden = true;
  opts.series.forEach((s, i) => {
    if ((s.legend === false || s.values.every((v) => v === null)) && rows[i + offset]) rows[i + offset].hidden = true;
  });

  // Follow the box's width (phone rotation, window resize).
  // (Resized on the next frame: resizing inside the observer's callback could loop.)
  ro = new ResizeObserver(() =>
    requestAnimationFrame(() => {
      const w = Math.max(box.clientWidth, 240);
      if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height });
    }),
  );
  ro.observe(box);
  return u;
}

/**
 * uPlot draws a step only up to the next point that has a value: a segment followed by a gap
 * would vanish. So each segment gets a closing point one second before the next x, carrying its
 * value; the last x closes the last segment.
 */
export function closeSteps(xs, columns) {
  const outX = [];
  const outCols = columns.map(() => []);
  for (let i = 0; i < xs.length; i++) {
    if (i > 0 && xs[i] - 1 > xs[i - 1]) {
      outX.push(xs[i] - 1);
      columns.forEach((col, c) => outCols[c].push(col[i - 1]));
    }
    if (i < xs.length - 1) {
      outX.push(xs[i]);
      columns.forEach((col, c) => outCols[c].push(col[i]));
    }
  }
  return [outX, ...outCols];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** UTC tick labels: "Jun 2026", "Jul", "24 Jul"; on month ticks the year shows first and at January. */
function timeTick(v, incr, first) {
  const d = new Date(v * 1000);
  const month = MONTHS[d.getUTCMonth()];
  const year = d.getUTCFullYear();
  if (incr >= 360 * DAY) return String(year);
  if (incr >= 28 * DAY) return first || d.getUTCMonth() === 0 ? `${month} ${year}` : month;
  // (No year on day ticks: the first label would not fit at the left edge.)
  return `${d.getUTCDate()} ${month}`;
}

/** The x range end: past the last change and past now, with room to see the last step. */
export function chartEnd(firstX, lastX, nowX) {
  const end = Math.max(lastX, nowX);
  return end + Math.max(7 * DAY, (end - firstX) * 0.06);
}

/** A chart's data as CSV: one row per step (from, series, value), in the one number format's digits. */
export function chartCsv(xs, series, unitLabel) {
  const esc = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [['from', 'until', 'line', unitLabel].map(esc).join(',')];
  for (const s of series) {
    if (s.csv === false) continue;
    for (let i = 0; i < xs.length - 1; i++) {
      const v = s.values[i];
      if (v === null || v === undefined) continue;
      lines.push([new Date(xs[i] * 1000).toISOString(), i + 1 < xs.length - 1 ? new Date(xs[i + 1] * 1000).toISOString() : '', s.label, String(v)].map(esc).join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** A link that downloads `text` as a file (a Blob URL: nothing goes to the server). */
export function downloadLink(text, filename, label) {
  const a = document.createElement('a');
  a.className = 'download small';
  a.download = filename;
  a.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  a.textContent = label;
  return a;
}
