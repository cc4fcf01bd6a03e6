// Times and numbers as people read them, in the chosen language.
import { language, t } from './i18n.js';

let clockSkewMs = 0;

/** Ages are computed against the hub's clock, not a possibly wrong office PC clock. */
export function setServerTime(iso) {
  const server = Date.parse(iso);
  if (!Number.isNaN(server)) clockSkewMs = server - Date.now();
}

export function now() {
  return Date.now() + clockSkewMs;
}

export function age(iso) {
  const s = Math.max(0, Math.round((now() - Date.parse(iso)) / 1000));
  if (s < 60) return t('age.seconds', { n: s });
  if (s < 3600) return t('age.minutes', { n: Math.floor(s / 60) });
  if (s < 86400) return t('age.hours', { n: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t('age.days', { n: Math.floor(s / 86400) });
}

export function dateTime(iso) {
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

export function number(v, digits = 1) {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(v);
}
