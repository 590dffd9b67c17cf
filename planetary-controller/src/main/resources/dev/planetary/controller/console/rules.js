// A network's rules: its "rules" JSON edited as text and saved through the ordinary network update;
// the API's validation error is shown at the rule it names (field "rules[N]…").
import * as api from './api.js';
import { h, field, say } from './dom.js';

/** The rule index an API error names, from its field ("rules[3].type"; not "capabilities[0].rules[3]") or else its message; -1 if none. */
export function ruleIndex(e) {
  const m = e.field ? /^rules\[(\d+)\]/.exec(e.field) : /^rules\[(\d+)\]/.exec(e.message || '') || /\brule (\d+)\b/i.exec(e.message || '');
  return m ? Number(m[1]) : -1;
}

export async function rulesPage(ctx, nwid) {
  const n = await api.network(nwid);
  const text = h('textarea', { id: 'rules-json', rows: 16, spellcheck: 'false', class: 'mono', 'aria-describedby': 'rules-help' });
  text.value = JSON.stringify(n.rules || [], null, 2);
  const error = h('p', { class: 'error', role: 'alert', id: 'rules-error' });
  const list = h('ol', { id: 'rule-list', start: 0, class: 'rules' });

  function show(rules, bad, message) {
    list.replaceChildren(...(Array.isArray(rules) ? rules : []).map((r, i) => h('li', {
      class: i === bad ? 'invalid' : null, 'aria-invalid': i === bad ? 'true' : null, id: 'rule-' + i },
    h('code', {}, JSON.stringify(r)), i === bad ? h('strong', { class: 'error' }, ' ← ' + message) : null)));
    const b = document.getElementById('rule-' + bad);
    if (b) b.scrollIntoView({ block: 'nearest' });
  }
  show(n.rules || [], -1);

  const form = h('form', { id: 'rules-form' },
    field('Rules (JSON array, ZeroTier rule objects)', text),
    h('p', { id: 'rules-help', class: 'meta' }, 'Saved as the network\'s "rules" field (POST /controller/network/' + nwid +
      '). Errors from the API are shown at the rule they name.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save rules')),
    error,
    h('h2', {}, 'Rules as saved'), list);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.textContent = '';
    text.removeAttribute('aria-invalid');
    let rules;
    try {
      rules = JSON.parse(text.value);
    } catch (e) {
      error.textContent = 'Not JSON: ' + e.message;
      text.setAttribute('aria-invalid', 'true');
      return;
    }
    ctx.guard(async () => {
      try {
        const saved = await api.saveNetwork(nwid, { rules });
        say('Rules saved (revision ' + saved.revision + ').');
        show(saved.rules || [], -1);
      } catch (e) {
        if (!(e instanceof api.ApiError)) throw e;
        const i = ruleIndex(e);
        error.textContent = (i >= 0 ? 'Rule ' + i + ': ' : '') + e.message;
        text.setAttribute('aria-invalid', 'true');
        show(rules, i, e.message);
      }
    });
  });
  ctx.page.replaceChildren(h('h1', {}, 'Rules of ', h('span', { class: 'mono' }, nwid)), form);
}
