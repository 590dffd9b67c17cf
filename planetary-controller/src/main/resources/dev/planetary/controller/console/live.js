// The live view: members as nodes, the controller's paths as edges, roots marked; polled, laid out by
// a small force simulation in SVG. The controller knows its own sessions (GET /peer): an edge is the
// controller's direct path to a member, or the member's relayed path through a root. Paths between
// two members are not known to the controller and are not drawn.
import * as api from './api.js';
import { h, s } from './dom.js';
import { pathText, peerIndex } from './members.js';

const POLL_MS = 2000;
export const MAX_NODES = 300;
const W = 1000, H = 620;

export async function livePage(ctx, nwid) {
  const status = await api.status();
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, id: 'live', role: 'img', 'aria-labelledby': 'live-summary' });
  const edgeLayer = s('g', { class: 'edges' });
  const nodeLayer = s('g', { class: 'nodes' });
  svg.append(edgeLayer, nodeLayer);
  const summary = h('p', { id: 'live-summary', class: 'meta' });
  const legend = h('p', { class: 'legend' },
    h('span', { class: 'k controller' }, 'controller'), ' ', h('span', { class: 'k root' }, 'root'), ' ',
    h('span', { class: 'k on' }, 'member online'), ' ', h('span', { class: 'k off' }, 'member offline or unauthorized'), ' ',
    h('span', { class: 'k direct' }, 'direct path'), ' ', h('span', { class: 'k relayed' }, 'relayed path'));
  const textList = h('ul', { id: 'live-list', class: 'live-list' });
  const nodes = new Map(); // id -> {id, kind, label, x, y, vx, vy, el, fixed}
  let edges = []; // {a, b, kind, label}
  const cache = new Map(); // address -> {revision, member}
  let alpha = 1, frame = 0, timer = null, stopped = false;
  const steps = { n: 0, total: 0, max: 0 };

  function node(id, kind, label, title) {
    let n = nodes.get(id);
    if (!n) {
      const a = Math.random() * 2 * Math.PI, r = kind === 'root' ? 120 : 250 + Math.random() * 80;
      n = { id, x: W / 2 + r * Math.cos(a), y: H / 2 + r * Math.sin(a), vx: 0, vy: 0 };
      n.el = s('g', { class: 'node', tabindex: 0 });
      n.shape = kind === 'root' ? s('rect', { x: -11, y: -11, width: 22, height: 22, rx: 3 }) : s('circle', { r: kind === 'controller' ? 14 : 9 });
      n.title = s('title', {});
      n.text = s('text', { y: kind === 'controller' ? 30 : 24, 'text-anchor': 'middle' });
      n.el.append(n.title, n.shape, n.text);
      nodeLayer.append(n.el);
      nodes.set(id, n);
      alpha = Math.max(alpha, 0.6);
    }
    n.kind = kind;
    n.fixed = kind === 'controller';
    if (n.fixed) { n.x = W / 2; n.y = H / 2; }
    n.el.setAttribute('class', 'node ' + kind);
    n.el.setAttribute('data-id', id);
    n.text.textContent = label; // member-controlled names stay text
    n.title.textContent = title;
    n.el.setAttribute('aria-label', title);
    n.seen = true;
    return n;
  }

  async function members() {
    const list = await api.members(nwid);
    const shown = Object.keys(list).sort().slice(0, MAX_NODES);
    const stale = shown.filter((a) => !cache.has(a) || cache.get(a).revision !== list[a]);
    const got = await Promise.all(stale.map((a) => api.member(nwid, a).catch((e) => { if (e instanceof api.Unauthorized) throw e; return null; })));
    got.forEach((m, i) => { if (m) cache.set(stale[i], { revision: list[stale[i]], member: m }); });
    for (const a of [...cache.keys()]) if (!(a in list)) cache.delete(a);
    return { total: Object.keys(list).length, shown: shown.map((a) => cache.get(a)).filter((x) => x).map((x) => x.member) };
  }

  async function poll() {
    if (stopped) return;
    const [{ total, shown }, peers] = await Promise.all([members(), api.peers()]);
    if (stopped) return;
    const index = peerIndex(peers);
    for (const n of nodes.values()) n.seen = false;
    node(status.address, 'controller', 'controller', 'controller ' + status.address);
    const next = [];
    for (const p of peers) {
      if (p.role !== 'PLANET' || !p.address) continue;
      node(p.address, 'root', 'root ' + p.address, 'root ' + p.address + ': ' + pathText(p));
      if (p.sessionState === 'established') next.push({ a: status.address, b: p.address, kind: 'direct', label: p.latency >= 0 ? p.latency + ' ms' : '' });
    }
    let online = 0;
    for (const m of shown) {
      const p = index.of(m);
      const up = p && p.sessionState === 'established';
      if (up && m.authorized) online++;
      const label = m.name ? m.name : m.address;
      node(m.address, up && m.authorized ? 'member on' : 'member off', label,
        (m.name ? m.name + ' (' + m.address + ')' : m.address) + ', ' + (m.authorized ? 'authorized' : 'not authorized') + ', ' + pathText(p));
      if (!up) continue;
      if (p.relayedVia) {
        if (!nodes.has(p.relayedVia)) node(p.relayedVia, 'root', 'relay ' + p.relayedVia, 'relay ' + p.relayedVia);
        next.push({ a: m.address, b: p.relayedVia, kind: 'relayed', label: p.latency >= 0 ? p.latency + ' ms' : '' });
      } else {
        next.push({ a: status.address, b: m.address, kind: 'direct', label: p.latency >= 0 ? p.latency + ' ms' : '' });
      }
    }
    for (const [id, n] of [...nodes]) if (!n.seen) { n.el.remove(); nodes.delete(id); }
    edges = next.filter((e) => nodes.has(e.a) && nodes.has(e.b));
    edgeLayer.replaceChildren(...edges.map((e) => {
      e.line = s('line', { class: 'edge ' + e.kind });
      const t = s('title', {});
      t.textContent = e.kind + ' path ' + e.a + ' – ' + e.b + (e.label ? ', ' + e.label : '');
      e.line.append(t);
      return e.line;
    }));
    summary.textContent = 'Network ' + nwid + ': ' + total + (total === 1 ? ' member (' : ' members (') + online + ' online and authorized)' +
      (total > shown.length ? ', the first ' + shown.length + ' drawn' : '') + '; ' + edges.length + ' paths the controller knows.' +
      ' Updated ' + new Date().toLocaleTimeString() + '.';
    textList.replaceChildren(...[...nodes.values()].map((n) => h('li', { 'data-id': n.id }, n.title.textContent)));
    draw();
    if (!frame) frame = requestAnimationFrame(step);
  }

  // one step of the layout: repulsion between all nodes, springs along edges, a pull to the centre
  function step() {
    frame = 0;
    if (stopped) return;
    const began = performance.now();
    const list = [...nodes.values()];
    const k = 60 * 60;
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      for (let j = i + 1; j < list.length; j++) {
        const b = list[j];
        let dx = a.x - b.x, dy = a.y - b.y, d2 = dx * dx + dy * dy;
        if (d2 < 1) { dx = Math.random(); dy = Math.random(); d2 = 1; }
        if (d2 > 90000) continue;
        const f = k / d2;
        a.vx += dx * f * 0.05; a.vy += dy * f * 0.05; b.vx -= dx * f * 0.05; b.vy -= dy * f * 0.05;
      }
    }
    for (const e of edges) {
      const a = nodes.get(e.a), b = nodes.get(e.b);
      const dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) || 1;
      const f = (d - (e.kind === 'relayed' ? 90 : 160)) * 0.02;
      a.vx += dx / d * f; a.vy += dy / d * f; b.vx -= dx / d * f; b.vy -= dy / d * f;
    }
    for (const n of list) {
      if (n.fixed) { n.vx = n.vy = 0; continue; }
      n.vx += (W / 2 - n.x) * 0.002; n.vy += (H / 2 - n.y) * 0.002;
      n.x = Math.min(W - 20, Math.max(20, n.x + n.vx * alpha)); n.y = Math.min(H - 30, Math.max(20, n.y + n.vy * alpha));
      n.vx *= 0.6; n.vy *= 0.6;
    }
    alpha *= 0.985;
    draw();
    const took = performance.now() - began; // the cost of one layout step, on the element for whoever measures (ConsoleIT)
    steps.n++; steps.total += took; steps.max = Math.max(steps.max, took);
    svg.dataset.steps = steps.n + ' steps, mean ' + (steps.total / steps.n).toFixed(2) + ' ms, max ' + steps.max.toFixed(2) + ' ms, ' + list.length + ' nodes';
    if (alpha > 0.02) frame = requestAnimationFrame(step);
  }

  function draw() {
    for (const n of nodes.values()) n.el.setAttribute('transform', `translate(${n.x.toFixed(1)},${n.y.toFixed(1)})`);
    for (const e of edges) {
      const a = nodes.get(e.a), b = nodes.get(e.b);
      e.line.setAttribute('x1', a.x.toFixed(1)); e.line.setAttribute('y1', a.y.toFixed(1));
      e.line.setAttribute('x2', b.x.toFixed(1)); e.line.setAttribute('y2', b.y.toFixed(1));
    }
  }

  ctx.page.replaceChildren(
    h('h1', {}, 'Live view of ', h('span', { class: 'mono' }, nwid)),
    summary, legend, h('div', { class: 'live-box' }, svg),
    h('details', {}, h('summary', {}, 'As a list'), textList),
    h('p', { class: 'meta' }, 'Edges are the paths the controller itself has: direct to a member, or through the root that relays it. ' +
      'The controller does not see paths between two members.'));
  await poll();
  const tick = () => ctx.guard(poll).finally(() => { if (!stopped) timer = setTimeout(tick, POLL_MS); });
  timer = setTimeout(tick, POLL_MS);
  return () => { stopped = true; clearTimeout(timer); if (frame) cancelAnimationFrame(frame); };
}
