// Networks: the list with a create form, and one network's settings.
import * as api from './api.js';
import { h, field, say } from './dom.js';

export async function networksPage(ctx) {
  const ids = await api.networks();
  const list = await Promise.all(ids.map(async (id) => {
    const [n, m] = await Promise.all([api.network(id), api.members(id)]);
    return { n, count: Object.keys(m).length };
  }));
  const name = h('input', { id: 'new-name', type: 'text', maxlength: 127, placeholder: 'lab' });
  const form = h('form', { class: 'inline', id: 'create-form' },
    field('Name of the new network', name),
    h('button', { type: 'submit' }, 'Create network'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ctx.guard(async () => {
      const n = await api.createNetwork({ name: name.value.trim(), private: true });
      say('Created network ' + n.id + '.');
      ctx.go('#/network/' + n.id);
    });
  });
  const rows = list.map(({ n, count }) => h('tr', { 'data-nwid': n.id },
    h('td', {}, h('a', { href: '#/network/' + n.id + '/members', class: 'mono' }, n.id)),
    h('td', {}, n.name || '—'),
    h('td', {}, n.private ? 'private' : 'public'),
    h('td', { class: 'num' }, String(count)),
    h('td', {}, h('a', { href: '#/network/' + n.id }, 'Settings'), ' ', h('a', { href: '#/network/' + n.id + '/live' }, 'Live'))));
  ctx.page.replaceChildren(
    h('h1', {}, 'Networks'),
    form,
    ids.length === 0 ? h('p', {}, 'No network yet: create one above.')
      : h('div', { class: 'scroll' }, h('table', { id: 'networks' },
        h('caption', { class: 'sr' }, 'Networks of this controller'),
        h('thead', {}, h('tr', {}, ['Network id', 'Name', 'Access', 'Members', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows))));
}

const lines = (text) => text.split('\n').map((l) => l.trim()).filter((l) => l);

function poolsText(n) { return (n.ipAssignmentPools || []).map((p) => p.ipRangeStart + '-' + p.ipRangeEnd).join('\n'); }
function routesText(n) { return (n.routes || []).map((r) => r.target + (r.via ? ' via ' + r.via : '')).join('\n'); }

function parsePools(text) {
  return lines(text).map((l) => {
    const [a, b] = l.split(/\s*-\s*(?=[0-9a-fA-F:.]+$)/);
    return { ipRangeStart: a, ipRangeEnd: b || a };
  });
}

function parseRoutes(text) {
  return lines(text).map((l) => {
    const m = l.split(/\s+via\s+/);
    return { target: m[0], via: m[1] || null };
  });
}

export async function networkPage(ctx, nwid) {
  const n = await api.network(nwid);
  const input = (id, attrs) => h('input', Object.assign({ id, name: id }, attrs));
  const check = (id, on) => input(id, { type: 'checkbox', checked: !!on });
  const f = {
    name: input('name', { type: 'text', value: n.name || '', maxlength: 127 }),
    private: check('private', n.private),
    enableBroadcast: check('enableBroadcast', n.enableBroadcast),
    mtu: input('mtu', { type: 'number', min: 1280, max: 10000, value: n.mtu }),
    multicastLimit: input('multicastLimit', { type: 'number', min: 1, max: 240, value: n.multicastLimit }),
    v4zt: check('v4zt', n.v4AssignMode && n.v4AssignMode.zt),
    v6zt: check('v6zt', n.v6AssignMode && n.v6AssignMode.zt),
    rfc4193: check('rfc4193', n.v6AssignMode && n.v6AssignMode.rfc4193),
    pools: h('textarea', { id: 'pools', rows: 3, spellcheck: 'false' }),
    routes: h('textarea', { id: 'routes', rows: 3, spellcheck: 'false' }),
  };
  f.pools.value = poolsText(n);
  f.routes.value = routesText(n);
  const error = h('p', { class: 'error', role: 'alert', id: 'network-error' });
  const form = h('form', { id: 'network-form' },
    field('Name', f.name),
    h('fieldset', {}, h('legend', {}, 'Access and traffic'),
      h('div', { class: 'check' }, f.private, h('label', { for: 'private' }, 'Private (members need authorization; off: anyone who asks is a member)')),
      h('div', { class: 'check' }, f.enableBroadcast, h('label', { for: 'enableBroadcast' }, 'Broadcast (ff:ff:ff:ff:ff:ff, ARP)')),
      field('MTU (1280–10000)', f.mtu),
      field('Multicast limit (recipients per multicast, 1–240)', f.multicastLimit)),
    h('fieldset', {}, h('legend', {}, 'Addresses'),
      h('div', { class: 'check' }, f.v4zt, h('label', { for: 'v4zt' }, 'Assign IPv4 from the pools')),
      h('div', { class: 'check' }, f.v6zt, h('label', { for: 'v6zt' }, 'Assign IPv6 from the pools')),
      h('div', { class: 'check' }, f.rfc4193, h('label', { for: 'rfc4193' }, 'RFC 4193 IPv6 (fd… from network id and address)')),
      field('Pools, one per line: first-last', f.pools, 'for example 10.147.17.1-10.147.17.254'),
      field('Routes, one per line: prefix [via gateway]', f.routes, 'for example 10.147.17.0/24')),
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, 'Save'),
      h('button', { type: 'button', class: 'danger', id: 'delete-network', onclick: () => ctx.guard(async () => {
        if (!confirm('Delete network ' + nwid + ' with all its members?')) return;
        await api.del('/controller/network/' + nwid);
        ctx.go('#/networks');
      }) }, 'Delete network')),
    error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.textContent = '';
    form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
    ctx.guard(async () => {
      try {
        const saved = await api.saveNetwork(nwid, {
          name: f.name.value,
          private: f.private.checked,
          enableBroadcast: f.enableBroadcast.checked,
          mtu: Number(f.mtu.value),
          multicastLimit: Number(f.multicastLimit.value),
          v4AssignMode: { zt: f.v4zt.checked },
          v6AssignMode: { zt: f.v6zt.checked, rfc4193: f.rfc4193.checked },
          ipAssignmentPools: parsePools(f.pools.value),
          routes: parseRoutes(f.routes.value),
        });
        say('Saved (revision ' + saved.revision + ').');
      } catch (e) {
        if (!(e instanceof api.ApiError)) throw e;
        error.textContent = e.message;
        const key = (e.field || '').replace(/\[.*$/, '').replace(/\..*$/, '');
        const target = { ipAssignmentPools: f.pools, routes: f.routes, v4AssignMode: f.v4zt, v6AssignMode: f.v6zt }[key] || f[key];
        if (target) { target.setAttribute('aria-invalid', 'true'); target.focus(); }
      }
    });
  });
  ctx.page.replaceChildren(
    h('h1', {}, 'Network ', h('span', { class: 'mono' }, nwid)),
    h('p', { class: 'meta' }, 'Revision ' + n.revision + ' · created ' + new Date(n.creationTime).toISOString()),
    form);
}
