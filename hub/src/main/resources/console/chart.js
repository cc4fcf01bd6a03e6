// Small SVG charts: the average per bucket as a line over a min-max band, and bars. Written here rather
// than vendored: two chart types, a few hundred points, no licence to carry, and every label is
// text the screen reader and the translation see. A table of the same numbers sits beside it.
import { svg } from './dom.js';
import { language } from './i18n.js';

const W = 800, H = 280, L = 56, R = 16, T = 16, B = 36;

export function niceTicks(min, max, count) {
  if (min === max) { min -= 1; max += 1; }
  const span = max - min;
  const step0 = span / count;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= step0) || 10 * mag;
  const ticks = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 0.001; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

export function drawChart({ points, from, to, bucketSeconds, title, unitLabel }) {
  const t0 = Date.parse(from), t1 = Date.parse(to);
  const lo = Math.min(...points.map(p => p.min)), hi = Math.max(...points.map(p => p.max));
  const yt = niceTicks(lo, hi, 5);
  const y0 = yt[0], y1 = yt[yt.length - 1];
  const x = ms => L + (W - L - R) * (ms - t0) / (t1 - t0);
  const y = v => T + (H - T - B) * (1 - (v - y0) / (y1 - y0 || 1));
  const numberFormat = new Intl.NumberFormat(language(), { maximumFractionDigits: 2 });
  const long = t1 - t0 > 2 * 86400000;
  const timeFormat = new Intl.DateTimeFormat(language(), long ? { month: '2-digit', day: '2-digit' } : { hour: '2-digit', minute: '2-digit' });

  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
  chart.append(svg('title', null, title));
  for (const v of yt) {
    chart.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    chart.append(svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, numberFormat.format(v)));
  }
  const xticks = 6;
  for (let k = 0; k <= xticks; k++) {
    const ms = t0 + (t1 - t0) * k / xticks;
    chart.append(svg('text', { x: x(ms), y: H - 12, 'text-anchor': k === 0 ? 'start' : k === xticks ? 'end' : 'middle' },
      timeFormat.format(new Date(ms))));
  }
  chart.append(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  chart.append(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  if (unitLabel) chart.append(svg('text', { x: L, y: T - 4 }, unitLabel));

  // Runs of consecutive buckets; a missing bucket (no readings) breaks the line.
  const runs = [];
  let run = [];
  const gap = bucketSeconds * 1000 * 1.5;
  for (const p of points) {
    const ms = Date.parse(p.t) + bucketSeconds * 500;
    if (run.length && ms - run[run.length - 1].ms > gap) { runs.push(run); run = []; }
    run.push({ ms, ...p });
  }
  if (run.length) runs.push(run);
  for (const r of runs) {
    const top = r.map(p => `${x(p.ms).toFixed(1)},${y(p.max).toFixed(1)}`);
    const bottom = r.slice().reverse().map(p => `${x(p.ms).toFixed(1)},${y(p.min).toFixed(1)}`);
    if (r.length > 1) chart.append(svg('polygon', { class: 'band', points: top.concat(bottom).join(' ') }));
    if (r.length > 1) {
      chart.append(svg('polyline', { class: 'avg', points: r.map(p => `${x(p.ms).toFixed(1)},${y(p.avg).toFixed(1)}`).join(' ') }));
    } else {
      chart.append(svg('circle', { class: 'avg', cx: x(r[0].ms), cy: y(r[0].avg), r: 3 }));
    }
  }
  return chart;
}

const BAR_H = 26, BAR_GAP = 8, BAR_L = 150, BAR_R = 70;

/**
 * Horizontal bars, one per row, for comparing grids or departments on one figure. A row
 * without a value (nothing to average) gets no bar and the word from `none`. The same numbers
 * are in the table beside the chart.
 */
export function drawBars({ rows, title, format, none, max }) {
  const top = Math.max(max || 0, ...rows.map(r => r.value ?? 0));
  const ticks = niceTicks(0, top || 1, 4);
  const end = ticks[ticks.length - 1];
  const h = T + rows.length * (BAR_H + BAR_GAP) + 24;
  const x = v => BAR_L + (W - BAR_L - BAR_R) * v / end;
  const chart = svg('svg', { class: 'chart bars', viewBox: `0 0 ${W} ${h}`, role: 'img', 'aria-label': title });
  chart.append(svg('title', null, title));
  for (const v of ticks) {
    chart.append(svg('line', { class: 'grid', x1: x(v), x2: x(v), y1: T, y2: h - 20 }));
    chart.append(svg('text', { x: x(v), y: h - 6, 'text-anchor': 'middle' }, format(v)));
  }
  rows.forEach((r, i) => {
    const y = T + i * (BAR_H + BAR_GAP);
    chart.append(svg('text', { x: BAR_L - 8, y: y + BAR_H / 2 + 4, 'text-anchor': 'end' }, r.label));
    if (r.value == null) {
      chart.append(svg('text', { x: BAR_L + 6, y: y + BAR_H / 2 + 4, class: 'none' }, none));
      return;
    }
    chart.append(svg('rect', { class: 'bar', x: BAR_L, y, width: Math.max(1, x(r.value) - BAR_L), height: BAR_H }));
    chart.append(svg('text', { x: x(r.value) + 6, y: y + BAR_H / 2 + 4 }, format(r.value)));
  });
  chart.append(svg('line', { class: 'axis', x1: BAR_L, x2: BAR_L, y1: T - 4, y2: h - 20 }));
  return chart;
}
