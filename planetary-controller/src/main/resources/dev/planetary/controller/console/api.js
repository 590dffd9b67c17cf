// The controller's public HTTP API (docs/controller.md), with the token from session storage.
const KEY = 'planetary.token';

export class Unauthorized extends Error {}

/** An API error: the HTTP status, the API's message and (for 400) the field it names. */
export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

export function token() { return sessionStorage.getItem(KEY); }
export function setToken(t) { sessionStorage.setItem(KEY, t); }
export function clearToken() { sessionStorage.removeItem(KEY); }

/** One request; 401 throws Unauthorized (the token is dropped), any other error status ApiError. */
export async function call(method, path, body) {
  const headers = { 'X-ZT1-Auth': token() || '' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (r.status === 401) {
    clearToken();
    throw new Unauthorized((data && data.error) || 'unauthorized');
  }
  if (!r.ok) throw new ApiError(r.status, (data && data.error) || ('HTTP ' + r.status), data && data.field);
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);
export const del = (path) => call('DELETE', path);

export const networks = () => get('/controller/network');
export const network = (nwid) => get('/controller/network/' + nwid);
export const saveNetwork = (nwid, body) => post('/controller/network/' + nwid, body);
export const createNetwork = (body) => post('/controller/network', body);
export const members = (nwid) => get('/controller/network/' + nwid + '/member');
export const member = (nwid, address) => get('/controller/network/' + nwid + '/member/' + address);
export const saveMember = (nwid, address, body) => post('/controller/network/' + nwid + '/member/' + address, body);
/** The controller node's own peers (node API, VL.md §13.2): its sessions and paths, roots included. */
export const peers = () => get('/peer');
export const status = () => get('/status');
