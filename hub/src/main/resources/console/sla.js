// SLA countdowns: the time left to a deadline, on the hub's clock (format.js), repainted every
// second wherever one is shown. Past the deadline it turns red and says "overdue" in words, so
// the state is never told by colour alone.
import { el } from './dom.js';
import { now } from './format.js';
import { label, t } from './i18n.js';

/** Seconds as m:ss under an hour, "h m" under a day, then "d h". */
export function span(seconds) {
  const a = Math.abs(seconds);
  if (a < 3600) return Math.floor(a / 60) + ':' + String(a % 60).padStart(2, '0');
  if (a < 86400) return t('sla.hm', { h: Math.floor(a / 3600), m: Math.floor((a % 3600) / 60) });
  return t('sla.dh', { d: Math.floor(a / 86400), h: Math.floor((a % 86400) / 3600) });
}

function paint(e) {
  const left = Math.round((Date.parse(e.dataset.due) - now()) / 1000);
  const overdue = left < 0;
  e.classList.toggle('overdue', overdue);
  e.textContent = t(overdue ? 'sla.overdue' : 'sla.due', { step: label('sla.step', e.dataset.step), left: span(left) });
}

/** A live countdown to {@code step} due at {@code dueAt}. */
export function countdown(step, dueAt) {
  const e = el('span', { class: 'sla', 'data-due': dueAt, 'data-step': step });
  paint(e);
  return e;
}

setInterval(() => {
  for (const e of document.querySelectorAll('.sla[data-due]')) paint(e);
}, 1000);
