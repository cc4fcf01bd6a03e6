// The oversight pages and who may open them: the supervision dashboard, configuration and the
// audit log. app.js asks here before its own routes, so the incident views stay as they are.
import { $ } from './dom.js';
import { showSupervision } from './supervision.js';
import { showSettings } from './settings.js';
import { showAudit } from './audit.js';

/** Roles per page, as the hub's routes allow the APIs behind them (ApiRoutes). */
const PAGES = {
  supervision: { roles: ['admin', 'property_manager', 'supervisor', 'auditor'], show: () => showSupervision() },
  settings: { roles: ['admin', 'property_manager', 'supervisor', 'auditor'], show: s => showSettings(s) },
  audit: { roles: ['admin', 'auditor'], show: () => showAudit() }
};

export const OVERSIGHT_VIEWS = Object.keys(PAGES);

/** The page a hash names, when it is one of these. */
export function oversightPage(hash) {
  const m = (hash || '').match(/^#\/([a-z]+)$/);
  return m && PAGES[m[1]] ? m[1] : null;
}

export function mayOpen(page, role) {
  return PAGES[page].roles.includes(role);
}

/** Supervisors work on aggregates: they start on the dashboard, not the incident board. */
export function homeFor(role) {
  return role === 'supervisor' ? '#/supervision' : '#/board';
}

export function openPage(page, session) {
  PAGES[page].show(session);
}

/** Shows the nav links a role may use: these pages' roles, the incident staff for the other links. */
export function showNav(role, staff) {
  for (const a of $('nav').querySelectorAll('a')) {
    a.hidden = !(PAGES[a.dataset.view] ? PAGES[a.dataset.view].roles : staff).includes(role);
  }
  $('nav').hidden = ![...$('nav').querySelectorAll('a')].some(a => !a.hidden);
}
