// Message catalogs and the language switch. Static text in index.html carries data-i18n keys;
// code calls t(key, {name: value}). The choice is remembered in localStorage.
import en from './messages-en.js';
import zhCN from './messages-zh-cn.js';

const catalogs = { 'en': en, 'zh-CN': zhCN };
const listeners = [];
let lang = pick();

function pick() {
  const stored = localStorage.getItem('cg.lang');
  if (stored && catalogs[stored]) return stored;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function language() {
  return lang;
}

export function t(key, params) {
  let text = catalogs[lang][key] ?? en[key] ?? key;
  for (const [name, value] of Object.entries(params || {})) {
    text = text.split('{' + name + '}').join(String(value));
  }
  return text;
}

/** A label for a code value (an incident type, a device field), or the value itself when there is none. */
export function label(prefix, value) {
  const key = prefix + '.' + value;
  return catalogs[lang][key] ?? en[key] ?? value;
}

export function applyTranslations(root = document) {
  document.documentElement.lang = lang;
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-aria-label]')) e.setAttribute('aria-label', t(e.dataset.i18nAriaLabel));
  document.title = t('app.name');
}

export function setLanguage(next) {
  if (!catalogs[next]) return;
  lang = next;
  localStorage.setItem('cg.lang', next);
  applyTranslations();
  for (const fn of listeners) fn(next);
}

export function onLanguageChange(fn) {
  listeners.push(fn);
}
