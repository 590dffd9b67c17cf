// Members of one network: paged (PAGE rows, one API read per row shown), refreshed every POLL_MS.
import * as api from './api.js';
import { h, field, ago, say } from './dom.js';

export const PAGE = 25;
const POLL_MS = 2000;

/** What the controller itself knows of a member's connectivity: its own session and path to it (GET /peer). */
export function pathText(peer) {
  if (!peer) return 'no session with the controller';
  if (peer.sessionState !== 'established') return 'session ' + peer.sessionState;
  const latency = peer.latency >= 0 ? ' · ' + peer.latency + ' ms' : '';
  if (peer.relayedVia) return 'relayed via ' + peer.relayedVia + latency;
  const p = (peer.paths || []).find((x) => x.preferred) || (peer.paths || [])[0];
  return 'direct' + (p ? ' ' + p.address : '') + latency;
}

/** The controller's peers by address and by fingerprint (it may know a member's session by fingerprint only). */
export function peerIndex(peers) {
  const m = new Map();
  for (const p of peers) {
    if (p.address) m.set(p.address, p);
    if (p.fingerprint) m.set(p.fingerprint, p);
  }
  return { of: (member) => m.get(member.address) || (member.fingerprint ? m.get(member.fingerprint) : undefined) };
}

/** The hex digits a member address may start with (anything else typed is ignored). */
export function hexPrefix(text) {
  return (text || '').toLowerCase().replace(/[^0-9a-f]/g, '').slice(0, 10);
}

function stateText(m) {
  if (m.authorized) return 'authorized';
  return m.lastRequestTime > 0 ? 'pending (asked to join)' : 'not authorized';
}

export async function membersPage(ctx, nwid, firstPage, firstPrefix) {
  let pageNo = firstPage;
  const base = '/controller/network/' + nwid + '/member/';
  const tbody = h('tbody');
  const summary = h('p', { id: 'members-summary', class: 'meta' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Member pages' });
  let timer = null, stopped = false;

  const save = (address, body) => ctx.guard(async () => {
    try {
      await api.saveMember(nwid, address, body);
      say('Saved member ' + address + '.');
    } catch (e) {
      if (!(e instanceof api.ApiError)) throw e;
      say(address + ': ' + e.message, true);
    }
    await refresh();
  });

  function row(m, peer) {
    const name = h('input', { type: 'text', value: m.name || '', 'aria-label': 'Name of ' + m.address, maxlength: 127, class: 'name' });
    name.addEventListener('change', () => save(m.address, { name: name.value }));
    const ips = h('input', { type: 'text', value: (m.ipAssignments || []).join(', '), 'aria-label': 'IP addresses of ' + m.address, class: 'ips', spellcheck: 'false' });
    ips.addEventListener('change', () => save(m.address, { ipAssignments: ips.value.split(/[\s,]+/).filter((x) => x) }));
    const auth = h('button', { type: 'button', class: m.authorized ? 'auth on' : 'auth', 'aria-pressed': m.authorized ? 'true' : 'false',
      onclick: () => save(m.address, { authorized: !m.authorized }) }, m.authorized ? 'Deauthorize' : 'Authorize');
    const tags = h('input', { type: 'text', value: (m.tags || []).map((t) => t[0] + '=' + t[1]).join(', '), 'aria-label': 'Tags of ' + m.address + ' (id=value, …)',
      class: 'tags', spellcheck: 'false', placeholder: 'id=value' });
    tags.addEventListener('change', () => save(m.address, { tags: tags.value.split(/[\s,]+/).filter((x) => x).map((t) => t.split('=').map(Number)) }));
    return h('tr', { 'data-address': m.address, class: m.authorized ? 'authorized' : '' },
      h('td', {}, auth),
      h('td', { class: 'mono' }, m.address),
      h('td', { class: 'state' }, stateText(m)),
      h('td', {}, name),
      h('td', {}, ips),
      h('td', {}, tags),
      h('td', { class: 'seen' }, ago(m.lastRequestTime)),
      h('td', { class: 'path' }, pathText(peer)));
  }

  let latest = 0; // refreshes overlap (polling, typing in the filter): only the newest one renders
  async function refresh() {
    if (stopped) return;
    const mine = ++latest;
    const [list, peers] = await Promise.all([api.members(nwid), api.peers()]);
    const prefix = hexPrefix(find.value);
    const all = Object.keys(list).filter((a) => a.startsWith(prefix)).sort();
    const pages = Math.max(1, Math.ceil(all.length / PAGE));
    const p = Math.min(pageNo, pages - 1);
    const shown = all.slice(p * PAGE, p * PAGE + PAGE);
    const rows = await Promise.all(shown.map((a) => api.member(nwid, a).catch((e) => { if (e instanceof api.Unauthorized) throw e; return null; })));
    if (stopped || mine !== latest) return;
    if (tbody.contains(document.activeElement) && document.activeElement.tagName === 'INPUT') return; // someone is typing
    const index = peerIndex(peers);
    tbody.replaceChildren(...rows.filter((m) => m).map((m) => row(m, index.of(m))));
    summary.textContent = all.length === 0 ? (prefix ? 'No member address starts with ' + prefix + '.' : 'No member yet: a node joins with “planetary join ' + nwid + '”.')
      : 'Members ' + (p * PAGE + 1) + '–' + (p * PAGE + shown.length) + ' of ' + all.length + ' (page ' + (p + 1) + ' of ' + pages + ').';
    const link = (label, to, rel) => h('a', { href: '#/network/' + nwid + '/members/' + to + (prefix ? '/' + prefix : ''), rel }, label);
    pager.replaceChildren(p > 0 ? link('← Previous', p - 1, 'prev') : '', ' ', p + 1 < pages ? link('Next →', p + 1, 'next') : '');
  }

  const address = h('input', { id: 'add-address', type: 'text', pattern: '[0-9a-fA-F]{10}', maxlength: 10, placeholder: '0123456789', spellcheck: 'false' });
  const add = h('form', { class: 'inline', id: 'add-form' }, field('Authorize a member by address', address), h('button', { type: 'submit' }, 'Add'));
  add.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save(address.value.trim().toLowerCase(), { authorized: true }).then(() => { address.value = ''; });
  });

  const find = h('input', { id: 'find-address', type: 'search', maxlength: 10, spellcheck: 'false', placeholder: '0123…', value: firstPrefix });
  find.addEventListener('input', () => { // the filter lives in the address (without a reload, so typing goes on)
    pageNo = 0;
    const prefix = hexPrefix(find.value);
    history.replaceState(null, '', '#/network/' + nwid + '/members/0' + (prefix ? '/' + prefix : ''));
    ctx.guard(refresh);
  });
  ctx.page.replaceChildren(
    h('h1', {}, 'Members of ', h('span', { class: 'mono' }, nwid)),
    h('form', { class: 'inline', role: 'search', onsubmit: (ev) => ev.preventDefault() }, field('Find members by address (first digits)', find)),
    summary,
    h('div', { class: 'scroll' }, h('table', { id: 'members' },
      h('caption', { class: 'sr' }, 'Members; the path column is the controller\'s own session with each member'),
      h('thead', {}, h('tr', {}, ['Access', 'Address', 'Status', 'Name', 'IP addresses', 'Tags', 'Last request', 'Controller’s path'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody)),
    pager,
    add);
  await refresh();
  const tick = () => ctx.guard(refresh).finally(() => { if (!stopped) timer = setTimeout(tick, POLL_MS); });
  timer = setTimeout(tick, POLL_MS);
  return () => { stopped = true; clearTimeout(timer); };
}
