// The profspace explorer: the page served by `profspace serve`.
//
// Plain ES2020, no build step. It talks only to the JSON API of
// docs/explorer-api.md and draws with uPlot (vendor/uPlot.iife.min.js,
// loaded before this module). The page works under
// `Content-Security-Policy: default-src 'self'`: no inline scripts or styles,
// no eval; styles are set only through element.style from here.

'use strict';

// ------------------------------------------------------------------ constants

// Okabe–Ito: a palette that colour-blind readers can tell apart.
const C = {
  black: '#000000', orange: '#E69F00', sky: '#56B4E9', green: '#009E73',
  yellow: '#F0E442', blue: '#0072B2', vermillion: '#D55E00', purple: '#CC79A7',
  grey: '#9A9A9A',
};

// Everything model-specific comes from the model's own declaration, sent
// with the scenario's state as `page` (docs/explorer-api.md): the groups
// and notes of the controls, the charts over time, the trade-off chart and
// the team tiles.
const page = () => S.page || {groups: [], notes: [], charts: [], tradeoff: null, tiles: null, sweep: ['', ''], time: 'tick'};
const colour = (name) => C[name] || C.grey;
const groupTitle = (g) => (page().groups.find(([k]) => k === g) || [g, human(g)])[1];
const noteOf = (value) => (page().notes.find(([k]) => k === value) || [null, ''])[1];
const situations = () => (page().tiles ? page().tiles.situations.map((s) => ({...s, color: colour(s.colour)})) : []);
// The line charts by id: {yLabel, y2Label, range, metrics: [metric, label, colour, width, scale]}.
function lineCharts() {
  const out = {};
  for (const c of page().charts) {
    out[c.id] = {yLabel: c.y_label, y2Label: c.y2_label, range: c.range,
      metrics: c.series.map((m) => [m.metric, m.label, colour(m.colour), m.width, m.right ? 'n' : 'y'])};
  }
  return out;
}
// The choice control that names a run best (the frame of negotiation).
// The model's word for its time steps (`tick`, `period`).
const TIME = () => page().time || 'tick';
const choiceKey = () => (S.controls.find((c) => c.kind === 'choice') || {}).key;
const CHART_HEIGHT = 210;
const POLL_MS = 100;
const TEXT_DEBOUNCE_MS = 500;
const TEAMS_EVERY_MS = 400;

// ------------------------------------------------------------------ state

const S = {
  session: null, version: 0, toml: '', values: {}, controls: [], metrics: [], limits: {}, page: null, model: '',
  textProblems: [], // problems of the text in #scenario-toml (empty: valid)
};
let run = null; // the run on display (see startRun)
let pinned = null; // {rows, columns, values, seed}
const plot = {x: [], cur: {}, pin: {}, trade: [[], []], tradePin: [[], []]};
const charts = {}; // name → uPlot
const chartData = {}; // name → the data array given to uPlot
const controlEls = new Map(); // key → {control, inputs, output, problem}
const pendingSet = new Map(); // key → value, queued and not yet sent
let textTimer = null;
let pendingText = null;
let teamsColour = 'situation';
let lastTeams = null;
let sweep = null;

window.__profspace = {lastRun: null, pinned: null, charts, state: S};

// ------------------------------------------------------------------ helpers

const $ = (sel, root = document) => root.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const fmtNum = (v) => (typeof v === 'number' ? String(Number(v.toFixed(3))) : String(v));
const fmt2 = (v) => (v === null || v === undefined ? '–' : Number(v).toFixed(2));
const pct = (v) => `${Math.round(100 * v)}%`;
const human = (label) => String(label).replace(/_/g, ' ');
const idFor = (key) => `c-${key.replace(/[^A-Za-z0-9]/g, '-')}`;

function fade(hex, alpha = 0.5) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function mix(hexA, hexB, t) {
  const a = parseInt(hexA.slice(1), 16);
  const b = parseInt(hexB.slice(1), 16);
  const ch = (s) => Math.round(((a >> s) & 255) * (1 - t) + ((b >> s) & 255) * t);
  return `rgb(${ch(16)}, ${ch(8)}, ${ch(0)})`;
}

// A notice sits in the lower right corner. One that only informs fades
// after a few seconds and goes as soon as a run starts (it would cover the
// charts the run draws); an error stays until clicked or replaced.
let statusTimer = null;
function notify(message, kind = 'info') {
  const p = $('#status');
  p.textContent = message;
  p.dataset.kind = kind;
  p.hidden = false;
  clearTimeout(statusTimer);
  if (kind !== 'error') statusTimer = setTimeout(dismissNotice, 4000);
}

function dismissNotice(errorsToo = false) {
  const p = $('#status');
  if (p.dataset.kind === 'error' && !errorsToo) return;
  clearTimeout(statusTimer);
  p.hidden = true;
}

class ApiError extends Error {
  constructor(status, data) {
    super((data && data.error) || `HTTP ${status}`);
    this.status = status;
    this.data = data;
  }
}

async function api(method, path, body) {
  const opts = {method, headers: {}};
  if (method === 'GET') {
    if (S.session) opts.headers['X-Profspace-Session'] = S.session;
  } else {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify({session: S.session, ...body});
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, {error: `the profspace server does not answer (${e.message}); is \`profspace serve\` still running?`});
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) throw new ApiError(res.status, typeof data === 'object' && data ? data : {error: String(data || res.statusText)});
  return data;
}

// A GET address for a link or an image. Those cannot carry the session
// header, so the session also goes in the query (see the report on the API).
function getUrl(path) {
  return `${path}${path.includes('?') ? '&' : '?'}session=${encodeURIComponent(S.session || '')}`;
}

// All writes go through one queue, so each carries the version that the
// previous one returned (no self-inflicted 409s).
let chain = Promise.resolve();
function serial(task) {
  const p = chain.then(task);
  chain = p.catch(() => {});
  return p;
}

// ------------------------------------------------------------------ scenario state

function applyState(st, {origin = 'load', sentText = null} = {}) {
  S.session = st.session || S.session;
  S.version = st.version;
  S.values = st.values || {};
  if (st.limits) S.limits = st.limits;
  if (st.metrics) S.metrics = st.metrics;
  const modelChanged = st.model && st.model !== S.model;
  if (st.page) S.page = st.page;
  if (st.ticks_key) S.ticks_key = st.ticks_key;
  if (st.model) S.model = st.model;
  const controlsChanged = JSON.stringify(st.controls || []) !== JSON.stringify(S.controls);
  if (st.controls && controlsChanged) {
    S.controls = st.controls;
    buildControls();
    buildSweepForm();
  }
  updateControls();

  const ta = $('#scenario-toml');
  if (origin === 'text') {
    // Keep what the student typed since; only take the server's text when
    // the area still holds what was sent.
    if (ta.value === sentText && st.toml !== sentText) setTextKeepingCaret(ta, st.toml);
  } else if (origin !== 'keep-text' && ta.value !== st.toml) {
    setTextKeepingCaret(ta, st.toml);
  }
  S.toml = st.toml;
  if (origin !== 'keep-text') setTextProblems([]);
  updateCompare();
  updateButtons();
  updateSweepSummary();
  if (!run) rebuildPlot(); // the empty axes follow `ticks`
  if (modelChanged && origin !== 'load') {
    // Another model: its own charts and tiles.
    rebuildPlot();
    buildCharts();
    renderTeams(null);
  }
  const key = choiceKey();
  $('#sweep-couplings-row').hidden = !key;
  $('#sweep-couplings-name').textContent = key ? human(key) : '';
}

function setTextKeepingCaret(ta, text) {
  const focused = document.activeElement === ta;
  const [a, b] = [ta.selectionStart, ta.selectionEnd];
  ta.value = text;
  if (focused) ta.setSelectionRange(Math.min(a, text.length), Math.min(b, text.length));
}

async function loadState() {
  const st = await api('GET', '/api/scenario');
  applyState(st, {origin: 'load'});
}

// The server forgot this tab's session (idle too long, or restarted): make a
// new one and carry the student's scenario text over.
async function recoverSession() {
  const text = $('#scenario-toml').value;
  S.session = null;
  const st = await api('GET', '/api/scenario');
  applyState(st, {origin: 'keep-text'});
  if (text && text !== st.toml) {
    try {
      const st2 = await api('POST', '/api/scenario/text', {version: S.version, toml: text});
      applyState(st2, {origin: 'text', sentText: text});
    } catch (e) {
      if (e.status === 400) setTextProblems(problemsOf(e));
    }
  }
  notify('The server had closed this tab\'s session; the page started a new one with your scenario.');
}

const problemsOf = (e) => ((e.data && e.data.problems && e.data.problems.length)
  ? e.data.problems : [{line: null, key: null, message: e.message}]);

// ---- one key (slider, field, radio) → POST /api/scenario/set

function scheduleSet(key, value) {
  if (pendingSet.has(key)) { pendingSet.set(key, value); return; }
  pendingSet.set(key, value);
  serial(async () => {
    const v = pendingSet.get(key);
    pendingSet.delete(key);
    await sendSet(key, v, true);
  });
}

async function sendSet(key, value, retry) {
  try {
    const st = await api('POST', '/api/scenario/set', {version: S.version, key, value});
    clearControlProblem(key);
    applyState(st, {origin: 'set'});
  } catch (e) {
    if (e.status === 409 && e.data && e.data.version !== undefined) {
      applyState(e.data, {origin: 'load'});
      if (retry) return sendSet(key, value, false);
      notify('The scenario had changed; the page reloaded it.');
    } else if (e.status === 404 && retry) {
      await recoverSession();
      return sendSet(key, value, false);
    } else if (e.status === 400) {
      showControlProblem(key, problemsOf(e).map((p) => p.message).join('; '));
      updateControls(); // back to the value the server holds
    } else {
      notify(`Could not change ${key}: ${e.message}`, 'error');
      updateControls();
    }
  }
  return undefined;
}

// ---- the whole text → POST /api/scenario/text

function scheduleText(text) {
  const queued = pendingText !== null;
  pendingText = text;
  if (queued) return serial(() => {});
  return serial(async () => {
    const t = pendingText;
    pendingText = null;
    if (t !== null) await sendText(t, true);
  });
}

async function sendText(text, retry) {
  if (text === S.toml && !S.textProblems.length) return;
  try {
    const st = await api('POST', '/api/scenario/text', {version: S.version, toml: text});
    applyState(st, {origin: 'text', sentText: text});
  } catch (e) {
    if (e.status === 409 && e.data && e.data.version !== undefined) {
      applyState(e.data, {origin: 'keep-text'});
      if (retry) await sendText(text, false);
    } else if (e.status === 404 && retry) {
      await recoverSession();
    } else if (e.status === 400 || e.status === 413) {
      setTextProblems(problemsOf(e));
    } else {
      notify(`Could not check the scenario text: ${e.message}`, 'error');
    }
  }
}

function flushText() {
  if (textTimer === null) return;
  clearTimeout(textTimer);
  textTimer = null;
  scheduleText($('#scenario-toml').value);
}

function setTextProblems(problems) {
  S.textProblems = problems;
  const list = $('#toml-problems');
  list.textContent = '';
  const ta = $('#scenario-toml');
  ta.setAttribute('aria-invalid', problems.length ? 'true' : 'false');
  ta.classList.toggle('invalid', problems.length > 0);
  for (const [key, rec] of controlEls) if (rec.fromText) clearControlProblem(key);
  for (const p of problems) {
    const where = p.line ? `line ${p.line}: ` : '';
    const what = p.key ? `${p.key}: ` : '';
    const li = el('li', {});
    if (p.line) {
      li.append(el('button', {type: 'button', class: 'line-link', text: `line ${p.line}`,
        title: 'show this line in the text', onclick: () => selectLine(ta, p.line)}), ': ');
      li.append(`${what}${p.message}`);
    } else {
      li.append(`${where}${what}${p.message}`);
    }
    list.append(li);
    if (p.key && controlEls.has(p.key)) showControlProblem(p.key, `line ${p.line || '?'}: ${p.message}`, true);
  }
  if (problems.length) {
    list.prepend(el('li', {class: 'problems-head', text: 'The text is not a valid scenario, so Run is off until it is:'}));
  }
  updateButtons();
}

function selectLine(ta, line) {
  const lines = ta.value.split('\n');
  let start = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
  const end = start + (lines[line - 1] || '').length;
  ta.focus();
  ta.setSelectionRange(start, end);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 16;
  ta.scrollTop = Math.max(0, (line - 3) * lh);
}

// ------------------------------------------------------------------ controls

function buildControls() {
  const form = $('#controls');
  form.textContent = '';
  controlEls.clear();
  const groups = [];
  for (const c of S.controls) {
    let g = groups.find((x) => x.name === c.group);
    if (!g) { g = {name: c.group, controls: []}; groups.push(g); }
    g.controls.push(c);
  }
  for (const g of groups) {
    const fs = el('fieldset', {class: `group group-${g.name}`},
      el('legend', {text: groupTitle(g.name)}));
    let ints = null;
    for (const c of g.controls) {
      if (c.kind === 'int') {
        if (!ints) { ints = el('div', {class: 'int-grid'}); fs.append(ints); }
        ints.append(intControl(c));
      } else {
        ints = null;
        if (c.kind === 'float') fs.append(floatControl(c));
        else if (c.kind === 'choice') fs.append(choiceControl(c));
        else if (c.kind === 'bool') fs.append(boolControl(c));
      }
    }
    form.append(fs);
  }
}

function shortMeaning(m) {
  const s = String(m || '');
  const i = s.indexOf(': ');
  return i > 0 && i < 40 ? s.slice(i + 2) : s;
}

function floatControl(c) {
  const id = idFor(c.key);
  const win = c.window;
  const input = el('input', {type: 'range', id, name: c.key, min: c.min, max: c.max,
    step: c.step || 0.01, 'aria-describedby': `${id}-d ${id}-p`});
  const output = el('output', {for: id, id: `${id}-v`, class: 'value'});
  const problem = el('p', {class: 'problem', id: `${id}-p`, hidden: true});
  const row = el('div', {class: 'control control-float', title: c.meaning},
    el('label', {for: id, text: human(c.label)}),
    input, output,
    el('p', {class: 'meaning', id: `${id}-d`},
      win ? el('span', {class: 'window', text: `→ ${win}: `}) : null, shortMeaning(c.meaning)),
    problem);
  input.addEventListener('input', () => {
    output.textContent = fmt2(input.value);
    scheduleSet(c.key, parseFloat(input.value));
  });
  controlEls.set(c.key, {control: c, inputs: [input], output, problem});
  return row;
}

function intControl(c) {
  const id = idFor(c.key);
  const max = Math.min(Number(c.max), Number.MAX_SAFE_INTEGER);
  let limit = max;
  if (c.key === S.ticks_key && S.limits.ticks) limit = Math.min(limit, S.limits.ticks);
  const input = el('input', {type: 'number', id, name: c.key, min: c.min, max: limit, step: 1,
    inputmode: 'numeric', 'aria-describedby': `${id}-p`});
  const problem = el('p', {class: 'problem', id: `${id}-p`, hidden: true});
  const row = el('div', {class: 'control control-int', title: c.meaning},
    el('label', {for: id, text: human(c.label)}), input, problem);
  input.addEventListener('change', () => {
    const raw = input.value.trim();
    if (!/^-?\d+$/.test(raw)) {
      showControlProblem(c.key, `expected a whole number from ${c.min} to ${fmtNum(limit)}`);
      return;
    }
    const v = Number(raw);
    if (!Number.isSafeInteger(v)) {
      showControlProblem(c.key, `the page can send whole numbers up to ${Number.MAX_SAFE_INTEGER}`);
      return;
    }
    clearControlProblem(c.key);
    scheduleSet(c.key, v);
  });
  controlEls.set(c.key, {control: c, inputs: [input], output: null, problem});
  return row;
}

function choiceControl(c) {
  const id = idFor(c.key);
  const problem = el('p', {class: 'problem', id: `${id}-p`, hidden: true});
  const fs = el('fieldset', {class: 'control control-choice', title: c.meaning, 'aria-describedby': `${id}-p`},
    el('legend', {text: human(c.label)}));
  const inputs = [];
  for (const choice of c.choices) {
    const input = el('input', {type: 'radio', name: c.key, value: choice, id: `${id}-${choice}`});
    input.addEventListener('change', () => { if (input.checked) scheduleSet(c.key, choice); });
    inputs.push(input);
    fs.append(el('label', {for: `${id}-${choice}`, class: 'choice'}, input,
      el('span', {class: 'choice-name', text: choice}),
      noteOf(choice) ? el('span', {class: 'choice-note', text: noteOf(choice)}) : null));
  }
  fs.append(problem);
  controlEls.set(c.key, {control: c, inputs, output: null, problem});
  return fs;
}

function boolControl(c) {
  const id = idFor(c.key);
  const input = el('input', {type: 'checkbox', id, name: c.key});
  const problem = el('p', {class: 'problem', id: `${id}-p`, hidden: true});
  input.addEventListener('change', () => scheduleSet(c.key, input.checked));
  controlEls.set(c.key, {control: c, inputs: [input], output: null, problem});
  return el('div', {class: 'control control-bool', title: c.meaning},
    el('label', {for: id}, input, ` ${human(c.label)}`), problem);
}

function updateControls() {
  for (const [key, rec] of controlEls) {
    if (pendingSet.has(key)) continue; // the student is moving it
    const v = S.values[key];
    if (v === undefined) continue;
    const {control, inputs, output} = rec;
    if (control.kind === 'choice') {
      for (const i of inputs) i.checked = i.value === v;
    } else if (control.kind === 'bool') {
      inputs[0].checked = Boolean(v);
    } else {
      const input = inputs[0];
      if (control.kind === 'int' && document.activeElement === input && input.value !== String(v)) continue;
      if (input.value !== String(v)) input.value = String(v);
      if (output) output.textContent = fmt2(v);
    }
  }
}

function showControlProblem(key, message, fromText = false) {
  const rec = controlEls.get(key);
  if (!rec) { notify(`${key}: ${message}`, 'error'); return; }
  rec.problem.textContent = message;
  rec.problem.hidden = false;
  rec.fromText = fromText;
  for (const i of rec.inputs) i.setAttribute('aria-invalid', 'true');
}

function clearControlProblem(key) {
  const rec = controlEls.get(key);
  if (!rec) return;
  rec.problem.hidden = true;
  rec.problem.textContent = '';
  rec.fromText = false;
  for (const i of rec.inputs) i.removeAttribute('aria-invalid');
}

// ------------------------------------------------------------------ run labels

// "freedom_safety, focus 0.8": the coupling, then what differs from `other`.
function describe(values, other) {
  if (!values) return '';
  const key = choiceKey();
  const parts = key ? [values[key]] : [];
  if (other) {
    for (const c of S.controls) {
      if (c.key === key) continue;
      if (JSON.stringify(values[c.key]) !== JSON.stringify(other[c.key])) {
        parts.push(`${human(c.label)} ${fmtNum(values[c.key])}`);
      }
    }
  }
  if (parts.length > 5) return `${parts.slice(0, 5).join(', ')}, …`;
  return parts.join(', ');
}

function labels() {
  if (!pinned) return {current: 'this run', pinned: null};
  const showing = run && !run.cleared;
  const vals = showing ? run.values : S.values;
  return {
    current: `${showing ? 'current' : 'next run'}: ${describe(vals, pinned.values)}`,
    pinned: `pinned: ${describe(pinned.values, vals)}`,
  };
}

function updateCompare() {
  const box = $('#compare');
  box.hidden = !pinned;
  const l = labels();
  if (pinned) {
    $('#compare-current').textContent = l.current;
    $('#compare-pinned').textContent = l.pinned;
  }
  // The trade-off chart's own legend names the runs.
  const u = charts.tradeoff;
  if (u) {
    const names = u.root.querySelectorAll('.u-legend .u-series .u-label');
    if (names[0]) names[0].textContent = pinned ? l.current : 'path of this run';
    if (names[1] && pinned) names[1].textContent = l.pinned;
  }
}

// ------------------------------------------------------------------ charts

function colIndex(columns) {
  const idx = {};
  columns.forEach((name, i) => { idx[name] = i; });
  return idx;
}

const chartMetrics = () => [...new Set(Object.values(lineCharts()).flatMap((c) => c.metrics.map((m) => m[0])))];
const tradeAxes = () => (page().tradeoff ? [page().tradeoff.x[0], page().tradeoff.y[0]] : [null, null]);

function ensureLen(n) {
  while (plot.x.length < n) {
    plot.x.push(plot.x.length);
    for (const a of Object.values(plot.cur)) a.push(null);
    for (const a of Object.values(plot.pin)) a.push(null);
  }
}

// Lays out the data arrays anew: the x axis spans the longer of the run and
// the pinned run, the pinned run is filled in whole, the current run up to
// what is revealed.
function rebuildPlot() {
  const ticks = Number((run && run.values[S.ticks_key]) || S.values[S.ticks_key] || 100);
  let len = ticks;
  if (pinned && pinned.rows.length) len = Math.max(len, pinned.rows[pinned.rows.length - 1][0] + 1);
  plot.x = [];
  plot.cur = {};
  plot.pin = {};
  for (const m of chartMetrics()) { plot.cur[m] = []; if (pinned) plot.pin[m] = []; }
  ensureLen(len);
  plot.trade = [[], []];
  plot.tradePin = [[], []];
  const [tx, ty] = tradeAxes();
  if (pinned) {
    const idx = colIndex(pinned.columns);
    for (const row of pinned.rows) {
      const t = row[idx[TIME()]];
      ensureLen(t + 1);
      for (const m of chartMetrics()) plot.pin[m][t] = row[idx[m]];
      if (tx) { plot.tradePin[0].push(row[idx[tx]]); plot.tradePin[1].push(row[idx[ty]]); }
    }
  }
  if (run && !run.cleared && run.columns) appendRows(run.rows, 0, run.revealed, run.columns);
  for (const name of Object.keys(charts)) refreshData(name);
}

function appendRows(rows, from, to, columns) {
  const idx = colIndex(columns);
  const metrics = chartMetrics();
  const [tx, ty] = tradeAxes();
  for (let i = from; i < to; i++) {
    const row = rows[i];
    const t = row[idx[TIME()]];
    ensureLen(t + 1);
    for (const m of metrics) if (idx[m] !== undefined) plot.cur[m][t] = row[idx[m]];
    if (tx) { plot.trade[0].push(row[idx[tx]]); plot.trade[1].push(row[idx[ty]]); }
  }
}

function dataFor(name) {
  if (name === 'tradeoff') return pinned ? [null, plot.trade, plot.tradePin] : [null, plot.trade];
  const spec = lineCharts()[name];
  const data = [plot.x, ...spec.metrics.map((m) => plot.cur[m[0]])];
  if (pinned) data.push(...spec.metrics.map((m) => plot.pin[m[0]]));
  return data;
}

function refreshData(name) {
  const u = charts[name];
  if (!u) return;
  chartData[name] = dataFor(name);
  u.setData(chartData[name]);
}

// The arrays in chartData were appended to in place: one setData per chart.
function redrawAll() {
  for (const name of Object.keys(charts)) charts[name].setData(chartData[name]);
}

const UNIT_INCRS = [0.1, 0.2, 0.5, 1];
const axisStyle = {
  stroke: '#333', font: '12px system-ui, sans-serif', labelFont: '12px system-ui, sans-serif',
  grid: {stroke: '#e6e6e6', width: 1}, ticks: {stroke: '#cfcfcf', width: 1},
};

const markerDash = (u, i) => (u.series[i].dash ? 'dashed' : 'solid');

function lineOptions(name, width) {
  const spec = lineCharts()[name];
  const series = [{label: TIME(), value: (u, v) => (v === null || v === undefined ? '–' : String(v))}];
  const add = (m, isPinned) => series.push({
    label: isPinned ? `${m[1]} · pinned` : m[1],
    stroke: isPinned ? fade(m[2], 0.6) : m[2],
    width: isPinned ? 1.5 : (m[3] || 2),
    dash: isPinned ? [6, 4] : undefined,
    scale: m[4] || 'y',
    points: {show: false},
    spanGaps: false,
    value: (u, v) => (v === null || v === undefined ? '–' : (m[4] === 'n' ? String(v) : v.toFixed(2))),
  });
  spec.metrics.forEach((m) => add(m, false));
  if (pinned) spec.metrics.forEach((m) => add(m, true));
  const axes = [
    {...axisStyle, label: TIME(), size: 30, labelSize: 16, labelGap: 0},
    {...axisStyle, label: spec.yLabel, scale: 'y', size: 40, labelSize: 18, incrs: UNIT_INCRS, space: 22,
      values: (u, vals) => vals.map((v) => v.toFixed(1))},
  ];
  const scales = {x: {time: false}, y: {range: () => spec.range}};
  if (spec.y2Label) {
    axes.push({...axisStyle, label: spec.y2Label, scale: 'n', side: 1, size: 40, labelSize: 18,
      grid: {show: false}, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
      values: (u, vals) => vals.map((v) => String(v))});
    scales.n = {range: (u, min, max) => [0, Math.max(1, Math.ceil((max || 0) * 1.1))]};
  }
  return {width, height: CHART_HEIGHT, series, axes, scales,
    legend: {live: true, markers: {dash: markerDash}}, cursor: {drag: {x: false, y: false}, points: {size: 6}}};
}

function tradeoffOptions(width) {
  const facets = [{scale: 'x', auto: false}, {scale: 'y', auto: false}];
  const series = [{}, {label: 'path of this run', stroke: C.blue, width: 2, facets,
    paths: uPlot.paths.linear(), points: {show: false}}];
  if (pinned) {
    series.push({label: 'pinned', stroke: fade(C.blue, 0.5), width: 1.5, dash: [6, 4], facets,
      paths: uPlot.paths.linear(), points: {show: false}});
  }
  return {
    mode: 2, width, height: CHART_HEIGHT, series,
    scales: {x: {time: false, range: () => [0, 1]}, y: {range: () => [0, 1]}},
    axes: [
      {...axisStyle, label: page().tradeoff.x[1], size: 30, labelSize: 16, labelGap: 0, incrs: UNIT_INCRS,
        values: (u, vals) => vals.map((v) => v.toFixed(1))},
      {...axisStyle, label: page().tradeoff.y[1], size: 40, labelSize: 18, incrs: UNIT_INCRS, space: 22,
        values: (u, vals) => vals.map((v) => v.toFixed(1))},
    ],
    legend: {live: false, markers: {dash: markerDash}},
    cursor: {show: false},
    hooks: {draw: [drawPathEnds]},
  };
}

// ○ where a path starts, ● where it is now.
function drawPathEnds(u) {
  const ctx = u.ctx;
  const r = 4 * (window.devicePixelRatio || 1);
  for (let i = 1; i < u.series.length; i++) {
    const d = u.data[i];
    if (!d || !d[0] || !d[0].length) continue;
    const color = u.series[i].stroke();
    const at = (k) => [u.valToPos(d[0][k], 'x', true), u.valToPos(d[1][k], 'y', true)];
    const [x0, y0] = at(0);
    const [x1, y1] = at(d[0].length - 1);
    ctx.save();
    ctx.lineWidth = 1.5 * (window.devicePixelRatio || 1);
    ctx.strokeStyle = color;
    ctx.fillStyle = '#fff';
    ctx.beginPath(); ctx.arc(x0, y0, r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.fillStyle = color;
    ctx.beginPath(); ctx.arc(x1, y1, r, 0, 2 * Math.PI); ctx.fill();
    ctx.restore();
  }
}

function chartWidth(host) {
  return Math.max(240, Math.floor(host.clientWidth || host.parentElement.clientWidth || 480));
}

// The chart cards of the model's page: its first chart over time, the
// trade-off chart, its other charts, then the team tiles (hidden when the
// model has no teams). Built again when the scenario's model changes.
let cardsOf = null;
function buildCards() {
  if (cardsOf === S.model) return;
  cardsOf = S.model;
  const box = $('#charts');
  for (const old of box.querySelectorAll('.chart-card.model-chart')) { resizer.unobserve(old.lastChild); old.remove(); }
  const card = (id, title, sub) => el('figure', {class: 'chart-card model-chart'},
    el('figcaption', {}, el('h2', {text: title}), el('span', {class: 'sub', text: sub, title: sub})),
    el('div', {id: `chart-${id}`, class: 'chart'}));
  const cards = page().charts.map((c) => card(c.id, c.title, c.sub));
  const t = page().tradeoff;
  if (t) cards.splice(Math.min(1, cards.length), 0, card('tradeoff', t.title, t.sub));
  const teams = $('#teams-card');
  for (const c of cards) box.insertBefore(c, teams);
  for (const c of cards) resizer.observe(c.lastChild);
  teams.hidden = !page().tiles;
  const value = page().tiles ? page().tiles.value : ['', ''];
  $('#team-colour-value-row').hidden = !value[0];
  $('#team-colour-value-name').textContent = value[0];
  $('#help-body').textContent = '';
  for (const para of page().about) $('#help-body').append(richText(para));
  $('#tagline').textContent = page().tagline;
}

// A paragraph with **strong** and *emphasis*, as elements (never HTML).
function richText(text) {
  const p = el('p', {});
  for (const part of text.split(/(\*\*[^*]+\*\*|\*[^*]+\*)/)) {
    if (part.startsWith('**')) p.append(el('strong', {text: part.slice(2, -2)}));
    else if (part.startsWith('*') && part.length > 1) p.append(el('em', {text: part.slice(1, -1)}));
    else if (part) p.append(part);
  }
  return p;
}

function buildCharts() {
  buildCards();
  for (const [name, u] of Object.entries(charts)) { u.destroy(); delete charts[name]; }
  const names = Object.keys(lineCharts());
  if (page().tradeoff) names.push('tradeoff');
  for (const name of names) {
    const host = document.getElementById(`chart-${name}`);
    host.textContent = '';
    host.classList.toggle('lines', name !== 'tradeoff');
    const width = chartWidth(host);
    const opts = name === 'tradeoff' ? tradeoffOptions(width) : lineOptions(name, width);
    chartData[name] = dataFor(name);
    charts[name] = new uPlot(opts, chartData[name], host);
  }
  updateCompare();
}

const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const name = entry.target.id.replace('chart-', '');
    const u = charts[name];
    if (!u) continue;
    const w = chartWidth(entry.target);
    if (Math.abs(w - u.width) > 2) u.setSize({width: w, height: CHART_HEIGHT});
  }
});

// ------------------------------------------------------------------ runs

function speed() { return parseInt($('#speed').value, 10) || 0; }

function setRunState(s) {
  document.body.dataset.runState = s;
  updateBadge();
  updateButtons();
}

function updateBadge() {
  const s = document.body.dataset.runState;
  const badge = $('#run-badge');
  let text = s;
  if (run && s === 'running') {
    text = run.paused ? `paused at ${TIME()} ${run.revealed} of ${run.ticks}` : `running: ${TIME()} ${run.revealed} of ${run.ticks}`;
  } else if (run && s === 'done') text = `done: ${run.revealed} ${TIME()}s`;
  badge.textContent = text;
  badge.dataset.state = s;
}

function updateProgress() {
  const p = $('#progress');
  if (!run) { p.textContent = 'No run yet.'; return; }
  const shown = `${run.revealed} of ${run.ticks} ${TIME()}s shown`;
  const ahead = run.rows.length > run.revealed ? ` (${run.rows.length} computed)` : '';
  p.textContent = run.cleared ? 'Pinned. Change a control, then Run.' : `${shown}${ahead}.`;
}

function updateButtons() {
  const state = document.body.dataset.runState;
  const invalid = S.textProblems.length > 0 || !S.session;
  $('#run').disabled = invalid;
  $('#step').disabled = invalid;
  $('#run').title = invalid ? 'Fix the scenario text first' : '';
  $('#reset').disabled = !run;
  const pause = $('#pause');
  const live = run && !run.finished;
  pause.disabled = !live;
  pause.textContent = live && run.paused ? 'Resume' : 'Pause';
  $('#pin').disabled = !(run && run.finished && run.status === 'done' && !run.cleared && state === 'done');
  $('#sweep-start').disabled = invalid || Boolean(sweep && sweep.status === 'running') || !sweepFits();
}

function abandon(r) {
  if (!r) return;
  r.abandoned = true;
  clearTimeout(r.pollTimer);
  cancelAnimationFrame(r.raf);
}

async function startRun(paused) {
  dismissNotice();
  flushText();
  abandon(run);
  const r = {
    id: null, values: null, ticks: 0, rows: [], columns: null, next: 0, revealed: 0,
    status: 'starting', paused, stepTo: paused ? (speed() || Infinity) : 0,
    fetched: false, finished: false, cleared: false, info: null, failures: 0,
    teamsAt: 0, teamsBusy: false,
  };
  run = r;
  setExports(null);
  setRunState('running');
  let id;
  try {
    id = await serial(async () => {
      if (S.textProblems.length) throw new ApiError(400, {error: 'the scenario text has problems; fix them first'});
      r.values = {...S.values};
      const post = () => api('POST', '/api/run', {version: S.version});
      try {
        return (await post()).id;
      } catch (e) {
        if (e.status === 409 && e.data && e.data.version !== undefined) {
          applyState(e.data, {origin: 'load'});
          r.values = {...S.values};
          return (await post()).id;
        }
        throw e;
      }
    });
  } catch (e) {
    if (r !== run) return;
    r.status = 'error';
    r.finished = true;
    notify(`The run did not start: ${e.message}`, 'error');
    setRunState('error');
    return;
  }
  if (r !== run || r.abandoned) return;
  r.id = id;
  r.ticks = Number(r.values[S.ticks_key]) || 0;
  r.status = 'running';
  rebuildPlot();
  updateCompare();
  poll(r);
  r.raf = requestAnimationFrame(() => frame(r));
}

async function poll(r) {
  if (r.abandoned) return;
  try {
    const d = await api('GET', `/api/run/${encodeURIComponent(r.id)}/series?since=${r.next}`);
    if (r.abandoned) return;
    r.failures = 0;
    takeRows(r, d);
    if (d.status === 'running') {
      r.pollTimer = setTimeout(() => poll(r), POLL_MS);
      return;
    }
    // One more read, in case rows were recorded between the last read and
    // the status change.
    const tail = await api('GET', `/api/run/${encodeURIComponent(r.id)}/series?since=${r.next}`);
    if (r.abandoned) return;
    takeRows(r, tail);
    r.info = await api('GET', `/api/run/${encodeURIComponent(r.id)}`);
    if (r.abandoned) return;
    r.status = r.info.status || d.status;
    if (r.info.ticks) r.ticks = Number(r.info.ticks);
    r.fetched = true;
  } catch (e) {
    if (r.abandoned) return;
    r.failures += 1;
    if (r.failures < 5 && e.status !== 404) {
      r.pollTimer = setTimeout(() => poll(r), 500);
    } else {
      r.status = 'error';
      r.error = e.message;
      r.fetched = true;
    }
  }
}

function takeRows(r, d) {
  if (!r.columns && d.columns) r.columns = d.columns;
  if (d.rows && d.rows.length) for (const row of d.rows) r.rows.push(row);
  if (typeof d.next === 'number') r.next = d.next;
}

// One redraw: reveal up to `speed` more ticks (or up to the step target
// while paused), append them to the charts' arrays and setData.
function frame(r) {
  if (r.abandoned || r !== run) return;
  let target;
  if (r.paused) target = Math.min(r.stepTo, r.rows.length);
  else target = speed() === 0 ? r.rows.length : Math.min(r.rows.length, r.revealed + speed());
  if (target > r.revealed && r.columns) {
    appendRows(r.rows, r.revealed, target, r.columns);
    r.revealed = target;
    redrawAll();
    updateBadge();
    updateProgress();
    const now = performance.now();
    if (now - r.teamsAt > TEAMS_EVERY_MS) { r.teamsAt = now; loadTeams(r, false); }
  } else if (r.status !== 'running') {
    updateProgress();
  }
  if (r.fetched && r.revealed >= r.rows.length) {
    finish(r);
    return;
  }
  r.raf = requestAnimationFrame(() => frame(r));
}

function finish(r) {
  r.finished = true;
  updateProgress();
  if (r.status === 'done') {
    window.__profspace.lastRun = {
      scenario: r.info ? r.info.scenario : null,
      seed: r.info ? r.info.seed : r.values.seed,
      series: r.rows,
      columns: r.columns,
    };
    setExports(r);
    loadTeams(r, true);
    setRunState('done');
  } else {
    const why = r.status === 'stopped' ? 'the server stopped the run'
      : (r.info && r.info.error) || r.error || `the run ended with status ${r.status}`;
    notify(`The run failed: ${why}`, 'error');
    loadTeams(r, true);
    setRunState('error');
  }
}

function stepRun() {
  const n = speed() || Infinity;
  if (!run || run.finished || run.cleared) { startRun(true); return; }
  run.paused = true;
  run.stepTo = Math.max(run.stepTo, run.revealed) + n;
  updateButtons();
  updateBadge();
}

function togglePause() {
  if (!run || run.finished) return;
  run.paused = !run.paused;
  run.stepTo = run.revealed;
  updateButtons();
  updateBadge();
}

function resetRun() {
  const r = run;
  if (r) {
    abandon(r);
    if (r.id && !r.fetched) {
      api('POST', `/api/run/${encodeURIComponent(r.id)}/stop`, {}).catch(() => {});
    }
  }
  run = null;
  rebuildPlot();
  setExports(null);
  renderTeams(null);
  updateProgress();
  updateCompare();
  setRunState('idle');
}

// ------------------------------------------------------------------ pinning

function pinRun() {
  if (!run || !run.finished || run.status !== 'done') return;
  pinned = {
    rows: run.rows, columns: run.columns, values: run.values,
    seed: run.info ? run.info.seed : run.values.seed,
  };
  window.__profspace.pinned = pinned;
  run.cleared = true; // it now shows as the pinned run
  rebuildPlot();
  buildCharts();
  updateProgress();
  updateButtons();
  notify('Pinned. Change a control, then press Run: the pinned run stays on the charts, dashed.');
}

function unpin() {
  pinned = null;
  window.__profspace.pinned = null;
  rebuildPlot();
  buildCharts();
  updateButtons();
  updateProgress();
}

// ------------------------------------------------------------------ teams

async function loadTeams(r, final) {
  if (!r.id || (r.teamsBusy && !final)) return;
  r.teamsBusy = true;
  try {
    let q = '';
    if (!final && r.columns && r.revealed > 0) {
      q = `?tick=${r.rows[r.revealed - 1][colIndex(r.columns)[TIME()]]}`;
    }
    const d = await api('GET', `/api/run/${encodeURIComponent(r.id)}/teams${q}`);
    if (r === run && !r.abandoned) renderTeams(d);
  } catch (e) {
    // the team view is a bonus; the charts carry on
  } finally {
    r.teamsBusy = false;
  }
}

// What a tile is when no situation has the largest share.
const IN_BETWEEN = {metric: 'in between', words: 'none of these', color: C.grey};

function dominant(t) {
  const rest = Math.max(0, 1 - situations().reduce((sum, s) => sum + (t[s.metric] || 0), 0));
  let best = {...IN_BETWEEN, share: rest};
  for (const s of situations()) if (t[s.metric] > best.share) best = {...s, share: t[s.metric]};
  return best;
}

// The team value tiles may be coloured by instead (`licence`), or ''.
const tileValue = () => (page().tiles ? page().tiles.value[0] : '');

function renderTeams(d) {
  lastTeams = d;
  const box = $('#teams');
  box.textContent = '';
  $('#teams-tick').textContent = d && d.tick !== null && d.tick !== undefined ? `at tick ${d.tick}` : '';
  renderTeamsLegend();
  if (!d || !d.teams || !d.teams.length) {
    box.append(el('p', {class: 'hint', text: 'One tile per team appears here during a run.'}));
    return;
  }
  for (const t of d.teams) {
    const dom = dominant(t);
    const levers = Object.entries(t.levers || {}).map(([k, v]) => `${k} ${fmt2(v)}`).join(', ');
    const value = tileValue();
    const byValue = teamsColour === 'value' && value;
    const tip = [
      `Team ${t.team}: largest share ${dom.words} (${pct(dom.share)})`,
      ...situations().map((s) => `${s.words} (${s.metric}): ${pct(t[s.metric] || 0)}`),
      page().tiles.details.map((k) => `${k} ${fmt2(t[k])}`).join(' · '),
      `manager's levers: ${levers}`,
    ].join('\n');
    const bar = el('span', {class: 'tile-bar', 'aria-hidden': 'true'});
    for (const s of situations()) {
      const seg = el('i', {});
      seg.style.width = pct(Math.max(0, Math.min(1, t[s.metric] || 0)));
      seg.style.backgroundColor = s.color;
      bar.append(seg);
    }
    const tile = el('div', {class: 'tile', role: 'listitem', tabindex: 0, title: tip, 'aria-label': tip.replace(/\n/g, '; ')},
      el('span', {class: 'tile-name'}, `team ${t.team}`,
        el('span', {class: 'tile-share', text: byValue ? fmt2(t[value]) : pct(dom.share)})),
      el('span', {class: 'tile-value', text: byValue ? value : dom.metric}),
      bar);
    if (byValue) {
      const v = Math.max(0, Math.min(1, Number(t[value]) || 0));
      tile.style.backgroundColor = mix('#F2F2F2', C.blue, v);
      tile.style.borderColor = mix('#DDDDDD', C.blue, v);
      tile.style.color = v > 0.55 ? '#fff' : '#111';
    } else {
      tile.style.backgroundColor = fade(dom.color, 0.18);
      tile.style.borderColor = dom.color;
    }
    box.append(tile);
  }
}

function renderTeamsLegend() {
  const p = $('#teams-legend');
  p.textContent = '';
  if (!page().tiles) return;
  const [value, meaning] = page().tiles.value;
  if (teamsColour === 'value' && value) {
    const ramp = el('span', {class: 'ramp', 'aria-hidden': 'true'});
    p.append(`${value}: 0 `, ramp, ` 1 (${meaning})`);
    return;
  }
  for (const s of [...situations(), IN_BETWEEN]) {
    const sw = el('span', {class: 'legend-swatch', 'aria-hidden': 'true'});
    sw.style.backgroundColor = s.color;
    p.append(el('span', {class: 'legend-item'}, sw, s.metric === 'in between' ? `in between: ${s.words}` : `${s.metric}: ${s.words}`));
  }
  p.append(el('span', {class: 'hint', text: 'Colour: the largest share. Hover a tile for its shares and its manager\'s levers.'}));
}

// ------------------------------------------------------------------ exports

function setExports(r) {
  const body = $('#exports-body');
  const empty = $('#exports-empty');
  if (!r || !r.id) { body.hidden = true; empty.hidden = false; return; }
  const base = `/api/run/${encodeURIComponent(r.id)}`;
  $('#dl-ticks').href = getUrl(`${base}/table/ticks.csv`);
  $('#dl-ticks').setAttribute('download', 'ticks.csv');
  $('#dl-runs').href = getUrl(`${base}/table/runs.csv`);
  $('#dl-runs').setAttribute('download', 'runs.csv');
  $('#dl-png').href = getUrl(`${base}/chart/timeseries.png`);
  $('#dl-png').setAttribute('download', 'timeseries.png');
  $('#dl-svg').href = getUrl(`${base}/chart/timeseries.svg`);
  $('#dl-svg').setAttribute('download', 'timeseries.svg');
  $('#dl-scenario').href = getUrl(`${base}/scenario.toml`);
  $('#command').textContent = (r.info && r.info.command) || '';
  body.hidden = false;
  empty.hidden = true;
}

async function copyCommand() {
  const code = $('#command');
  const text = code.textContent;
  const btn = $('#copy-command');
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    const range = document.createRange();
    range.selectNodeContents(code);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    if (!document.execCommand || !document.execCommand('copy')) {
      notify('Select the command and copy it by hand (the browser refused).');
      return;
    }
  }
  btn.textContent = 'Copied';
  setTimeout(() => { btn.textContent = 'Copy command'; }, 1500);
}

function downloadToml() {
  const blob = new Blob([$('#scenario-toml').value], {type: 'application/toml'});
  const url = URL.createObjectURL(blob);
  const a = el('a', {href: url, download: 'explorer.toml', class: 'visually-hidden'});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function uploadToml(ev) {
  const file = ev.target.files && ev.target.files[0];
  if (!file) return;
  const text = await file.text();
  const ta = $('#scenario-toml');
  ta.value = text;
  clearTimeout(textTimer);
  textTimer = null;
  await scheduleText(text);
  ev.target.value = '';
  if (!S.textProblems.length) notify(`Loaded ${file.name}.`);
}

// ------------------------------------------------------------------ sweep

const floatControls = () => S.controls.filter((c) => c.kind === 'float');

function buildSweepForm() {
  for (const [axis, dflt] of [['x', page().sweep[0]], ['y', page().sweep[1]]]) {
    const sel = $(`#sweep-${axis}-key`);
    const old = sel.value;
    sel.textContent = '';
    for (const c of floatControls()) {
      sel.append(el('option', {value: c.key, text: `${human(c.label)} (${c.key})`}));
    }
    sel.value = old && floatControls().some((c) => c.key === old) ? old : dflt;
    if (!sel.value && sel.options.length) sel.selectedIndex = axis === 'x' ? 0 : Math.min(1, sel.options.length - 1);
  }
  updateSweepSummary();
}

// A value outside the lever's range is not clamped behind the user's back:
// the field is marked and says what is allowed, and Start waits for a fix.
function axisProblems() {
  const problems = [];
  for (const axis of ['x', 'y']) {
    const key = $(`#sweep-${axis}-key`).value;
    const c = S.controls.find((x) => x.key === key) || {min: 0, max: 1};
    for (const end of ['from', 'to']) {
      const field = $(`#sweep-${axis}-${end}`);
      const v = Number(field.value);
      const bad = field.value.trim() === '' || !Number.isFinite(v) || v < Number(c.min) || v > Number(c.max);
      const msg = bad ? `${key} ${end}: ${field.value.trim() || 'empty'} is outside ${c.min} … ${c.max}` : '';
      field.setCustomValidity(msg);
      field.setAttribute('aria-invalid', bad ? 'true' : 'false');
      if (bad) problems.push(msg);
    }
  }
  const reps = $('#sweep-reps');
  const r = Number(reps.value);
  const repsBad = !(Number.isInteger(r) && r >= 1 && r <= Number(reps.max));
  reps.setCustomValidity(repsBad ? `replications must be a whole number from 1 to ${reps.max}` : '');
  reps.setAttribute('aria-invalid', repsBad ? 'true' : 'false');
  if (repsBad) problems.push(`replications: ${reps.value || 'empty'} is not a whole number from 1 to ${reps.max}`);
  return problems;
}

function axisValues(axis) {
  const key = $(`#sweep-${axis}-key`).value;
  const c = S.controls.find((x) => x.key === key) || {min: 0, max: 1};
  const clampV = (v) => Math.min(Number(c.max), Math.max(Number(c.min), v));
  const from = clampV(parseFloat($(`#sweep-${axis}-from`).value) || 0);
  const to = clampV(parseFloat($(`#sweep-${axis}-to`).value) || 0);
  const steps = parseInt($(`#sweep-${axis}-steps`).value, 10) || 3;
  const values = [];
  for (let i = 0; i < steps; i++) values.push(Number((from + ((to - from) * i) / (steps - 1)).toFixed(4)));
  return {key, values};
}

function sweepDesign() {
  const x = axisValues('x');
  const y = axisValues('y');
  const replications = Math.max(1, parseInt($('#sweep-reps').value, 10) || 1);
  const couplings = $('#sweep-couplings').checked && !$('#sweep-couplings-row').hidden;
  const key = choiceKey();
  const choices = key ? (S.controls.find((c) => c.key === key).choices || []).length : 1;
  const points = x.values.length * y.values.length * (couplings ? choices : 1);
  return {x, y, replications, couplings, points, runs: points * replications};
}

function sweepFits() {
  if (!S.controls.length) return false;
  const d = sweepDesign();
  return !(S.limits.points && d.points > S.limits.points)
    && !(S.limits.sweep_runs && d.runs > S.limits.sweep_runs)
    && d.x.key !== d.y.key
    && axisProblems().length === 0;
}

function updateSweepSummary() {
  if (!S.controls.length) return;
  const d = sweepDesign();
  const p = $('#sweep-summary');
  const key = choiceKey();
  const choices = key ? (S.controls.find((c) => c.key === key).choices || []).length : 1;
  let text = `${d.x.values.length} × ${d.y.values.length} grid${d.couplings ? ` × ${choices} ${human(key)}s` : ''}`
    + ` × ${d.replications} replication${d.replications === 1 ? '' : 's'} = ${d.runs} runs`
    + ` (x: ${d.x.values.join(', ')}; y: ${d.y.values.join(', ')}).`;
  if (!d.couplings && key && S.values[key]) text += ` ${human(key)}: ${S.values[key]}.`;
  if (d.x.key === d.y.key) text += ' Pick two different levers.';
  if (S.limits.points && d.points > S.limits.points) text += ` That is ${d.points} design points; the explorer runs at most ${S.limits.points}.`;
  if (S.limits.sweep_runs && d.runs > S.limits.sweep_runs) text += ` That is ${d.runs} runs; the explorer runs at most ${S.limits.sweep_runs} (fewer steps or replications; the command line has no such limit).`;
  const problems = axisProblems();
  if (problems.length) text += ` Fix first: ${problems.join('; ')}.`;
  p.textContent = text;
  p.dataset.kind = (problems.length || !sweepFits()) ? 'error' : '';
  updateButtons();
}

async function startSweep(ev) {
  ev.preventDefault();
  flushText();
  const d = sweepDesign();
  if (!sweepFits()) { updateSweepSummary(); return; }
  $('#sweep-charts').textContent = '';
  $('#sweep-progress').value = 0;
  $('#sweep-progress-text').textContent = 'starting…';
  $('#sweep-folder').hidden = true;
  $('#sweep-empty').hidden = false;
  $('#sweep-empty').textContent = 'Running…';
  try {
    const res = await serial(() => api('POST', '/api/sweep', {
      version: S.version, x: d.x, y: d.y, replications: d.replications, couplings: d.couplings,
    }));
    sweep = {id: res.id, status: 'running', design: d};
    $('#sweep-stop').disabled = false;
    updateButtons();
    pollSweep(sweep);
  } catch (e) {
    $('#sweep-empty').textContent = `The sweep did not start: ${e.message}`;
    $('#sweep-progress-text').textContent = 'not started';
    if (e.status === 409 && e.data && e.data.version !== undefined) applyState(e.data, {origin: 'load'});
  }
}

async function pollSweep(w) {
  if (w !== sweep) return;
  try {
    const d = await api('GET', `/api/sweep/${encodeURIComponent(w.id)}`);
    if (w !== sweep) return;
    w.status = d.status;
    const bar = $('#sweep-progress');
    bar.max = Math.max(1, d.total || 1);
    bar.value = d.done || 0;
    $('#sweep-progress-text').textContent = `${d.done} of ${d.total} runs${d.status === 'running' ? '' : ` · ${d.status}`}`;
    if (d.status === 'running') { w.timer = setTimeout(() => pollSweep(w), 300); return; }
    $('#sweep-stop').disabled = true;
    updateButtons();
    if (d.status === 'done') showSweepCharts(w, d.charts || []);
    else $('#sweep-empty').textContent = d.error ? `The sweep failed: ${d.error}` : `The sweep ${d.status}.`;
  } catch (e) {
    if (w !== sweep) return;
    w.status = 'error';
    $('#sweep-empty').textContent = `Lost the sweep: ${e.message}`;
    $('#sweep-stop').disabled = true;
    updateButtons();
  }
}

const SWEEP_CAPTION = {
  'heatmap_essential.png': 'Essential performance over the grid',
  'situations.png': 'The three situations over the grid: walls without space, space without walls, the five windows open',
};

function showSweepCharts(w, names) {
  const box = $('#sweep-charts');
  box.textContent = '';
  const xs = w.design.x.key;
  const ys = w.design.y.key;
  for (const name of names) {
    const caption = `${SWEEP_CAPTION[name] || name.replace(/\.\w+$/, '').replace(/_/g, ' ')} (x: ${xs}, y: ${ys})`;
    const src = getUrl(`/api/sweep/${encodeURIComponent(w.id)}/chart/${encodeURIComponent(name)}`);
    const img = el('img', {src, alt: caption});
    // Chromium now and then leaves one of several large images pending for
    // good (seen in the browser test: the server had answered, a fetch of
    // the same address got it at once). A chart that has not arrived after
    // a few seconds is asked for again, twice at most.
    let tries = 0;
    const retry = () => {
      if (w !== sweep || tries >= 2 || (img.complete && img.naturalWidth > 0)) return;
      tries += 1;
      img.src = `${src}&try=${tries}`;
      setTimeout(retry, 5000);
    };
    setTimeout(retry, 5000);
    box.append(el('figure', {class: 'sweep-chart'},
      el('a', {href: src, target: '_blank', rel: 'noopener', title: 'open the chart at full size in a new tab'}, img),
      el('figcaption', {text: `${caption}; click the chart to open it at full size`})));
  }
  $('#sweep-empty').hidden = names.length > 0;
  if (!names.length) $('#sweep-empty').textContent = 'The sweep is done but drew no charts.';
  const link = $('#sweep-folder-link');
  link.href = getUrl(`/api/sweep/${encodeURIComponent(w.id)}/folder.tar`);
  link.setAttribute('download', `sweep-${w.id}.tar`);
  $('#sweep-folder').hidden = false;
}

async function stopSweep() {
  if (!sweep) return;
  try { await api('POST', `/api/sweep/${encodeURIComponent(sweep.id)}/stop`, {}); } catch (e) { /* shown by the poll */ }
}

// ------------------------------------------------------------------ tabs, help, wiring

function selectTab(which) {
  for (const name of ['explore', 'sweep']) {
    const tab = $(`#tab-${name}`);
    const on = name === which;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`#panel-${name}`).hidden = !on;
  }
}

function wire() {
  $('#controls').addEventListener('submit', (e) => e.preventDefault()); // Enter in a field
  $('#status').addEventListener('click', () => dismissNotice(true));
  $('#run').addEventListener('click', () => startRun(false));
  $('#step').addEventListener('click', stepRun);
  $('#pause').addEventListener('click', togglePause);
  $('#reset').addEventListener('click', resetRun);
  $('#pin').addEventListener('click', pinRun);
  $('#unpin').addEventListener('click', unpin);
  $('#copy-command').addEventListener('click', copyCommand);
  $('#download-toml').addEventListener('click', downloadToml);
  $('#upload-toml').addEventListener('change', uploadToml);

  const ta = $('#scenario-toml');
  ta.addEventListener('input', () => {
    clearTimeout(textTimer);
    textTimer = setTimeout(() => { textTimer = null; scheduleText(ta.value); }, TEXT_DEBOUNCE_MS);
  });

  for (const input of document.querySelectorAll('input[name="team-colour"]')) {
    input.addEventListener('change', () => { teamsColour = input.value; renderTeams(lastTeams); });
  }

  for (const name of ['explore', 'sweep']) {
    $(`#tab-${name}`).addEventListener('click', () => selectTab(name));
  }
  $('.tabs').addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const next = $('#tab-explore').getAttribute('aria-selected') === 'true' ? 'sweep' : 'explore';
    selectTab(next);
    $(`#tab-${next}`).focus();
  });

  $('#sweep-form').addEventListener('submit', startSweep);
  $('#sweep-form').addEventListener('input', updateSweepSummary);
  $('#sweep-form').addEventListener('change', updateSweepSummary);
  $('#sweep-stop').addEventListener('click', stopSweep);

  const help = $('#help');
  let helpSeen = null;
  try { helpSeen = localStorage.getItem('profspace.help'); } catch (e) { /* private mode */ }
  help.open = helpSeen !== 'closed';
  help.addEventListener('toggle', () => {
    try { localStorage.setItem('profspace.help', help.open ? 'open' : 'closed'); } catch (e) { /* ignore */ }
  });

  // Closing the tab closes its session on the server.
  window.addEventListener('pagehide', () => {
    if (!S.session) return;
    const body = JSON.stringify({session: S.session});
    let sent = false;
    try {
      sent = navigator.sendBeacon('/api/session/close', new Blob([body], {type: 'application/json'}));
    } catch (e) {
      sent = false;
    }
    if (!sent) {
      fetch('/api/session/close', {method: 'POST', keepalive: true,
        headers: {'Content-Type': 'application/json'}, body}).catch(() => {});
    }
  });

}

async function init() {
  wire();
  renderTeams(null);
  setRunState('idle');
  try {
    await loadState();
  } catch (e) {
    $('#controls').textContent = '';
    $('#controls').append(el('p', {class: 'problem', text: `Could not load the scenario: ${e.message}`}));
    notify(`Could not reach the profspace server: ${e.message}`, 'error');
  }
  rebuildPlot();
  buildCharts();
  renderTeams(null);
  updateButtons();
  updateProgress();
}

init();
