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
 *   series: {label: string, values: (number|null)[], color: string, dash?: number[], legend?: boolean}[],
 *       values[i] holds from xs[i] until xs[i+1]; the last x is where the chart ends (its value is ignored)
 *   bands?: {from: number, to: number, title: string}[],     seconds
 *   markers?: {x: number, label: string}[],                  seconds
 *   format: (v: number) => string,
 *   height?: number,
 * }} opts
 */
/** @returns the uPlot instance (call destroy() before dropping its box). */
export function drawStepChart(box, opts) {
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
  let ro = null;
  const width = Math.max(box.clientWidth, 240);
  const u = new U(
    {
      width,
      height,
      tzDate: (ts) => U.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: {
        // A little room before the first change, so its step does not sit on the axis.
        x: { time: true, range: (_u, min, max) => [min - (max - min) * 0.03, max] },
        // Prices from zero, so a cut looks like the cut it is.
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
      },
      axes: [
        { space: 70, values: (_u, splits, _axis, _space, incr) => splits.map((v, i) => timeTick(v, incr, i === 0)) },
        {
          values: (_u, splits) => splits.map((v) => opts.format(v)),
          size: (_u, values) => (values ? Math.max(...values.map((s) => s.length)) * 7 + 20 : 50),
        },
      ],
      series: [
        { value: (_u, v) => (v == null ? '—' : formatInstant(new Date(v * 1000).toISOString())) },
        ...opts.series.map((s) => ({
          label: s.label,
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
  // Twin series (e.g. the dashed announced part of a line) stay out of the legend.
  const rows = u.root.querySelectorAll('.u-legend .u-series');
  opts.series.forEach((s, i) => {
    if (s.legend === false && rows[i + 1]) rows[i + 1].hidden = true;
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
