// The hub's API as the console calls it: same-origin, the session cookie rides along by itself,
// and every state-changing request carries the session's CSRF token in X-CSRF-Token.
let csrfToken = null;
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, message, retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

export function setCsrfToken(token) {
  csrfToken = token;
}

export function whenSignedOut(fn) {
  onSignedOut = fn;
}

export async function api(path, { method = 'GET', body, quietAuth = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    if (res.status === 401 && !quietAuth) onSignedOut();
    throw new ApiError(res.status, (data && data.error) || res.statusText, res.headers.get('Retry-After'));
  }
  return data;
}
