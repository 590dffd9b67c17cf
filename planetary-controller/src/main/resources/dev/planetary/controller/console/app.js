// The console's shell: login, navigation by location hash, one page at a time.
import * as api from './api.js';
import { h, say } from './dom.js';
import { networksPage, networkPage } from './networks.js';
import { membersPage, hexPrefix } from './members.js';
import { rulesPage } from './rules.js';
import { livePage } from './live.js';

const NWID = /^[0-9a-f]{16}$/;
let stop = null; // the current page's cleanup (its polling)

function showLogin(message) {
  if (stop) { stop(); stop = null; }
  document.getElementById('nav').hidden = true;
  document.getElementById('page').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('login-error').textContent = message || '';
  document.getElementById('token').value = '';
  document.getElementById('token').focus();
  document.title = 'Log in · Planetary controller';
}

/** Runs a page function; a 401 anywhere brings the login page back with the API's message. */
export async function guard(fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof api.Unauthorized) showLogin('The API refused the token (401: ' + e.message + ').');
    else say(e.message, true);
    return undefined;
  }
}

function networkNav(nwid) {
  const n = document.getElementById('nav-network');
  n.replaceChildren();
  if (!nwid) return;
  const here = location.hash;
  for (const [label, suffix] of [['Settings', ''], ['Members', '/members'], ['Rules', '/rules'], ['Live', '/live']]) {
    const href = '#/network/' + nwid + suffix;
    n.append(h('a', { href, 'aria-current': here === href || (suffix === '/members' && here.startsWith(href + '/')) ? 'page' : null }, label));
  }
}

async function route() {
  if (!api.token()) return showLogin();
  if (stop) { stop(); stop = null; }
  document.getElementById('login').hidden = true;
  document.getElementById('nav').hidden = false;
  const page = document.getElementById('page');
  page.hidden = false;
  say('');
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const nwid = parts[0] === 'network' && NWID.test(parts[1] || '') ? parts[1] : null;
  networkNav(nwid);
  const ctx = { page, guard, go: (hash) => { location.hash = hash; } };
  let render;
  if (!nwid) render = () => networksPage(ctx);
  else if (!parts[2]) render = () => networkPage(ctx, nwid);
  else if (parts[2] === 'members') render = () => membersPage(ctx, nwid, Math.max(0, parseInt(parts[3] || '0', 10) || 0), hexPrefix(parts[4]));
  else if (parts[2] === 'rules') render = () => rulesPage(ctx, nwid);
  else if (parts[2] === 'live') render = () => livePage(ctx, nwid);
  else render = () => networksPage(ctx);
  const cleanup = await guard(render);
  if (typeof cleanup === 'function') stop = cleanup;
  const h1 = page.querySelector('h1');
  document.title = (h1 ? h1.textContent + ' · ' : '') + 'Planetary controller';
}

document.getElementById('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const t = document.getElementById('token').value.trim();
  if (!t) return;
  api.setToken(t);
  const ok = await guard(() => api.get('/controller'));
  if (ok) route();
});
document.getElementById('logout').addEventListener('click', () => { api.clearToken(); showLogin('Logged out.'); });
window.addEventListener('hashchange', route);
route();
