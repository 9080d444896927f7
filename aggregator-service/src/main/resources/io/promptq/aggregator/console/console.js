// promptq operator console: vanilla JS, no framework, no build step. Reads the aggregator's JSON API with the
// token typed by the operator (kept in sessionStorage, sent as "Authorization: Bearer"); refreshes every 2 s.
'use strict';

const REFRESH_MS = 2000;
const TOKEN_KEY = 'promptq.console.token';
const VIEWS = ['overview', 'workers', 'jobs', 'dead-letters'];
const state = { view: 'overview', jobId: null, jobsCursor: null, dlqCursors: [null], dlqNext: null, selected: new Set() };

// ---- small helpers ---------------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svgEl(tag, attrs) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

function fmtTime(at) {
  if (at === null || at === undefined || at === '') return '';
  const d = new Date(typeof at === 'number' ? at : String(at));
  return isNaN(d) ? String(at) : d.toISOString().replace('T', ' ').replace('Z', '');
}

const fmtNum = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 2 }));
const pct = (n) => (n === null || n === undefined ? '–' : (100 * n).toFixed(1) + ' %');

function setText(id, text) { $(id).textContent = text; }

/** Replaces a node's children, flattening arrays and leaving out null ones. */
function setChildren(node, ...children) {
  node.replaceChildren(...children.flat(2).filter((c) => c !== null && c !== undefined));
}

function fill(tbody, rows) { setChildren(tbody, rows); }

const lastShown = new Map();

/** True when {@code body} is what {@code key} shows already: the view is left as it is (no flicker, clicks keep their target). */
function unchanged(key, body) {
  const text = JSON.stringify(body);
  if (lastShown.get(key) === text) return true;
  lastShown.set(key, text);
  return false;
}

// ---- API -------------------------------------------------------------------------------------------------------

/** Thrown for a non-2xx answer; `status` and the problem's `detail`. */
class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function api(path, options) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  const init = { method: (options && options.method) || 'GET', headers };
  if (options && options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'the aggregator cannot be reached (' + e.message + ')');
  }
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!response.ok) {
    const detail = (body && (body.detail || body.title)) || text || response.statusText;
    throw new ApiError(response.status, detail);
  }
  return body;
}

/** A refusal message for 401/403, else null. */
function refusal(e, what) {
  if (!(e instanceof ApiError)) return null;
  if (e.status === 401) return 'Refused (401 Unauthorized): ' + what + ' needs a valid token. ' + e.message;
  if (e.status === 403) return 'Refused (403 Forbidden): ' + what + ' needs an operator token. ' + e.message;
  return null;
}

function showBanner(message) {
  const banner = $('banner');
  banner.textContent = message || '';
  banner.hidden = !message;
}

/** Shows a view's failure: a refusal in the banner, a missing route as "not available", else the error. */
function report(noteId, e, what) {
  const refused = refusal(e, what);
  if (refused) {
    showBanner(refused);
    setText(noteId, 'Refused: enter a token above.');
  } else if (e instanceof ApiError && e.status === 404) {
    setText(noteId, what + ': not available on this aggregator (its route answered 404).');
  } else {
    setText(noteId, what + ': ' + (e.message || e));
  }
}

// ---- Overview --------------------------------------------------------------------------------------------------

async function loadOverview() {
  let overview;
  try {
    overview = await api('/v1/console/overview');
    setText('overview-note', 'Last 15 minutes.');
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    overview = await overviewFromStats();
    setText('overview-note', 'Totals and finished jobs from /v1/stats (the console overview route is not available).');
  }
  if (!unchanged('overview', overview)) renderOverview(overview);
}

/** The overview's shape built from the statistics API, for an aggregator without the console overview route. */
async function overviewFromStats() {
  const to = Date.now();
  const [totals, windows] = await Promise.all([
    api('/v1/stats/totals'),
    api('/v1/stats/windows?from=' + (to - 15 * 60000) + '&to=' + to),
  ]);
  const finished = [], latency = [];
  let total = 0, succeeded = 0, deadLettered = 0, expired = 0;
  for (const w of windows.windows || []) {
    const start = Date.parse(w.windowStart), end = Date.parse(w.windowEnd);
    finished.push({ at: start, value: w.total / Math.max(1, (end - start) / 1000) });
    const l = w.providerLatency || {};
    latency.push({ at: start, p50: l.p50Ms, p95: l.p95Ms, p99: l.p99Ms });
    total += w.total; succeeded += w.succeeded; deadLettered += w.deadLettered; expired += w.expired;
  }
  const rate = (n) => (total ? n / total : null);
  return {
    submittedPerSecond: null,
    finishedPerSecond: finished,
    rates: { succeeded: rate(succeeded), deadLettered: rate(deadLettered), expired: rate(expired) },
    latency,
    retries: totals.totalRetries,
    tokens: { prompt: totals.promptTokens, completion: totals.completionTokens },
    totals: { total: totals.total, succeeded: totals.succeeded, deadLettered: totals.deadLettered,
      expired: totals.expired, cancelled: totals.cancelled },
    lag: null,
  };
}

function renderOverview(o) {
  const t = o.totals || {};
  for (const k of ['total', 'succeeded', 'deadLettered', 'expired', 'cancelled']) setText('total-' + k, fmtNum(t[k]));
  setText('total-retries', fmtNum(o.retries));
  setText('total-tokens', fmtNum(o.tokens && o.tokens.prompt) + ' / ' + fmtNum(o.tokens && o.tokens.completion));
  drawChart($('chart-throughput'), [
    { cls: 'submitted', points: (o.submittedPerSecond || []).map((p) => [p.at, p.value]) },
    { cls: 'finished', points: (o.finishedPerSecond || []).map((p) => [p.at, p.value]) },
  ]);
  const lat = o.latency || [];
  drawChart($('chart-latency'), ['p50', 'p95', 'p99'].map((q) => ({ cls: q, points: lat.map((p) => [p.at, p[q]]) })));
  const r = o.rates || {};
  setChildren($('rates'),
    el('div', null, el('span', null, 'Succeeded'), el('span', { class: 'ok' }, pct(r.succeeded))),
    el('div', null, el('span', null, 'Dead-lettered'), el('span', { class: 'bad' }, pct(r.deadLettered))),
    el('div', null, el('span', null, 'Expired'), el('span', { class: 'warn' }, pct(r.expired))));
  if (o.lag) {
    fill($('lag').tBodies[0], o.lag.map((l) => el('tr', null, el('td', null, l.group), el('td', null, l.topic),
      el('td', null, l.partition), el('td', null, fmtNum(l.lag)))));
    setText('lag-note', o.lag.length ? '' : 'No lag reported.');
  } else {
    fill($('lag').tBodies[0], []);
    setText('lag-note', 'Consumer lag: not available on this aggregator.');
  }
}

/** Draws one polyline per series, scaled to the chart's 300x80 view box. */
function drawChart(svg, series) {
  const all = series.flatMap((s) => s.points.filter((p) => p[1] !== null && p[1] !== undefined));
  svg.replaceChildren();
  if (!all.length) {
    const text = svgEl('text', { x: 150, y: 44, 'text-anchor': 'middle', 'font-size': 10, fill: '#5c6670' });
    text.textContent = 'no data';
    svg.append(text);
    return;
  }
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y1 = Math.max(...ys, 1e-9);
  const sx = (x) => (x1 === x0 ? (x < x0 ? 2 : 298) : ((x - x0) / (x1 - x0)) * 296 + 2);
  const sy = (y) => 78 - (y / y1) * 74;
  for (const s of series) {
    let pts = s.points.filter((p) => p[1] !== null && p[1] !== undefined);
    if (pts.length === 1) { // one point (one window so far): a level line across the chart
      pts = x1 === x0 ? [[x0 - 1, pts[0][1]], [x0 + 1, pts[0][1]]] : [[x0, pts[0][1]], [x1, pts[0][1]]];
    }
    if (pts.length) svg.append(svgEl('polyline', { class: s.cls, points: pts.map((p) => sx(p[0]) + ',' + sy(p[1])).join(' ') }));
  }
  const max = svgEl('text', { x: 4, y: 10, 'font-size': 9, fill: '#5c6670' });
  max.textContent = fmtNum(y1);
  svg.append(max);
}

// ---- Workers ---------------------------------------------------------------------------------------------------

async function loadWorkers() {
  const body = await api('/v1/console/workers');
  if (unchanged('workers', body)) return;
  const workers = body.workers || [];
  setText('workers-note', workers.length ? workers.length + ' worker(s).' : 'No worker has reported yet.');
  setChildren($('workers'), workers.map(renderWorker));
}

function renderWorker(w) {
  const parts = (w.partitions || []).map((p) => el('tr', { class: p.paused ? 'paused' : null },
    el('td', null, p.topic), el('td', null, p.partition),
    el('td', null, el('span', { class: 'bar', title: p.inFlight + ' of ' + p.permits }, inFlightBar(p)), ' ', p.inFlight + ' / ' + p.permits),
    el('td', null, p.paused ? el('span', { class: 'pill paused' }, 'paused') : 'running'),
    el('td', { class: 'pause-reason' }, p.pauseReason || '')));
  const breakers = Object.entries(w.breakers || {}).map(([model, s]) => el('span', { class: 'pill ' + s }, model + ': ' + s));
  return el('div', { class: 'worker' + (w.stale ? ' stale' : ''), 'data-worker': w.workerId },
    el('h3', null, w.workerId, ' ', el('span', { class: 'muted' }, '@ ' + (w.host || '?') + ', started ' + fmtTime(w.startedAt)
      + ', last report ' + fmtTime(w.at) + (w.stale ? ' (STALE)' : ''))),
    el('div', null, 'Breakers: ', breakers.length ? breakers : 'none', '  Models unavailable: ',
      (w.modelsUnavailable || []).join(', ') || 'none', '  Rate-limit waits: ', fmtNum(w.rateLimitWaits)),
    el('table', null, el('thead', null, el('tr', null, ['Topic', 'Partition', 'In flight / permits', 'State', 'Pause reason']
      .map((h) => el('th', null, h)))), el('tbody', null, parts)));
}

function inFlightBar(p) {
  const span = el('span');
  span.style.width = Math.round(100 * Math.min(1, p.permits ? p.inFlight / p.permits : 0)) + '%';
  return span;
}

// ---- Jobs ------------------------------------------------------------------------------------------------------

async function loadJob() {
  if (!state.jobId) return;
  const panel = $('job');
  panel.hidden = false;
  let view;
  try {
    view = await api('/v1/jobs/' + encodeURIComponent(state.jobId));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      lastShown.delete('job');
      $('job-summary').textContent = 'No job ' + state.jobId + ' (unknown, or older than the job status retention).';
      fill($('job-timeline').tBodies[0], []);
      $('job-result').replaceChildren();
      return;
    }
    throw e;
  }
  if (unchanged('job', view)) return;
  setChildren($('job-summary'),el('strong', null, view.jobId), ' ', el('span', { class: 'pill', id: 'job-state' }, view.state),
    view.tenant ? ' tenant ' + view.tenant : '');
  fill($('job-timeline').tBodies[0], (view.history || []).map((c) => el('tr', { 'data-state': c.state },
    el('td', null, c.state), el('td', null, fmtTime(c.at)), el('td', null, c.attempt), el('td', null, c.workerId || ''),
    el('td', null, c.errorClass || ''), el('td', null, fmtTime(c.nextAttemptAt)))));
  const r = view.result;
  setChildren($('job-result'), r ? [
    el('h3', null, 'Outcome: ' + r.status),
    el('div', null, 'Model ' + (r.model || '?') + ', ' + r.attempts + ' attempt(s) ' + JSON.stringify(r.attemptDurationsMs || [])
      + ' ms, provider ' + r.providerMs + ' ms, end to end ' + r.endToEndMs + ' ms, tokens ' + r.promptTokens + ' / '
      + r.completionTokens + (r.finishReason ? ', finish ' + r.finishReason : '')),
    r.error ? el('div', { class: 'bad' }, 'Error: ' + JSON.stringify(r.error)) : null,
    r.output !== null && r.output !== undefined ? el('pre', { id: 'job-output' }, r.output) : null,
  ] : []);
}

async function loadJobList() {
  const tenant = $('jobs-tenant').value.trim();
  if (!tenant) { // a list is one tenant's jobs: the aggregator answers 400 without one
    fill($('jobs-list').tBodies[0], []);
    setText('jobs-note', 'Enter a tenant to list its recent jobs.');
    $('jobs-more').hidden = true;
    return;
  }
  const status = $('jobs-status').value;
  const params = new URLSearchParams({ limit: '50', tenant });
  if (status) params.set('status', status);
  if (state.jobsCursor) params.set('cursor', state.jobsCursor);
  const body = await api('/v1/jobs?' + params);
  if (unchanged('jobs', body)) return;
  const items = body.items || body.jobs || [];
  fill($('jobs-list').tBodies[0], items.map((j) => {
    const row = el('tr', { class: 'clickable' }, el('td', null, j.jobId), el('td', null, j.tenant || ''),
      el('td', null, j.state || j.status || ''), el('td', null, fmtTime(j.updatedAt || j.at)));
    row.addEventListener('click', () => { $('job-id').value = j.jobId; state.jobId = j.jobId; guarded('job-summary', 'The job view', loadJob); });
    return row;
  }));
  setText('jobs-note', items.length ? '' : 'No jobs match.');
  $('jobs-more').hidden = !body.nextCursor;
  $('jobs-more').dataset.cursor = body.nextCursor || '';
}

// ---- Dead letters ----------------------------------------------------------------------------------------------

function dlqFilter() {
  const filter = {};
  for (const k of ['reason', 'model', 'tenant']) {
    const v = $('dlq-' + k).value.trim();
    if (v) filter[k] = v;
  }
  for (const k of ['since', 'until']) {
    const v = $('dlq-' + k).value;
    if (v) filter[k] = new Date(v).getTime();
  }
  return filter;
}

async function loadDeadLetters() {
  const params = new URLSearchParams(dlqFilter());
  params.set('limit', '50');
  const cursor = state.dlqCursors[state.dlqCursors.length - 1];
  if (cursor) params.set('cursor', cursor);
  const body = await api('/v1/console/dead-letters?' + params);
  if (unchanged('dead-letters', body)) return;
  const items = body.items || [];
  fill($('dlq-list').tBodies[0], items.map((d) => {
    const box = el('input', { type: 'checkbox', class: 'dlq-select', 'data-id': d.id, checked: state.selected.has(d.id) });
    box.addEventListener('click', (ev) => {
      ev.stopPropagation();
      if (box.checked) state.selected.add(d.id); else state.selected.delete(d.id);
    });
    const row = el('tr', { class: 'clickable', 'data-id': d.id }, el('td', null, box), el('td', null, d.id),
      el('td', null, d.jobId || '(undecodable)'), el('td', null, d.tenant || ''), el('td', null, d.model || ''),
      el('td', null, d.reason), el('td', null, d.attempts), el('td', null, fmtTime(d.at)), el('td', null, d.mark || ''));
    row.addEventListener('click', () => guarded('dlq-note', 'Inspect', () => inspect(d.id)));
    return row;
  }));
  state.dlqNext = body.nextCursor || null;
  $('dlq-next').disabled = !state.dlqNext;
  const counts = body.counts && body.counts.byReason ? Object.entries(body.counts.byReason).map(([r, n]) => r + ' ' + n).join(', ') : '';
  setText('dlq-counts', 'Scanned ' + fmtNum(body.scanned) + ' summaries.' + (counts ? ' By reason: ' + counts : ''));
  setText('dlq-note', items.length ? '' : 'No dead letters match.');
}

function hexDump(hex) {
  if (!hex) return '(empty)';
  const lines = [];
  for (let i = 0; i < hex.length; i += 32) lines.push((i / 2).toString(16).padStart(6, '0') + '  ' + hex.slice(i, i + 32).replace(/(..)/g, '$1 '));
  return lines.join('\n');
}

async function inspect(id) {
  const d = await api('/v1/console/dead-letters/' + encodeURIComponent(id));
  const panel = $('dlq-inspect');
  panel.hidden = false;
  setChildren(panel,
    el('h3', null, 'Dead letter ' + d.id + (d.mark ? ' (' + d.mark + ')' : '')),
    el('div', null, 'Reason ' + d.reason + ': ' + (d.message || '') + ' — ' + d.attempts + ' attempt(s), at ' + fmtTime(d.at)
      + (d.sourceTopic ? ', from ' + d.sourceTopic : '')),
    d.job ? [el('h4', null, 'Job'), el('pre', { id: 'dlq-job' }, JSON.stringify(d.job, null, 2))]
      : el('div', { class: 'bad' }, 'Undecodable: it cannot be redriven.'),
    el('h4', null, 'Headers'), el('pre', null, JSON.stringify(d.headers || {}, null, 2)),
    el('h4', null, 'Raw key (hex)'), el('pre', { class: 'hex' }, hexDump(d.rawKeyHex)),
    el('h4', null, 'Raw value (hex)'), el('pre', { class: 'hex', id: 'dlq-raw-value' }, hexDump(d.rawValueHex)));
}

async function act(action) {
  const result = $('dlq-result');
  const body = { dryRun: $('dlq-dry-run').checked };
  if ($('dlq-use-filter').checked) {
    body.filter = dlqFilter();
  } else {
    body.ids = [...state.selected];
    if (!body.ids.length) {
      result.className = 'result refused';
      result.textContent = 'Select dead letters first, or tick "Everything matching the filter".';
      return;
    }
  }
  if (action === 'redrive') body.rate = Number($('dlq-rate').value) || 20;
  result.className = 'result';
  result.textContent = (action === 'redrive' ? 'Redriving' : 'Purging') + ' ...';
  try {
    const r = await api('/v1/console/dead-letters/' + action, { method: 'POST', body });
    result.textContent = 'Audit ' + r.auditId + (body.dryRun ? ' (dry run)' : '') + ': matched ' + fmtNum(r.matched)
      + (action === 'redrive' ? ', redriven ' + fmtNum(r.redriven) : ', purged ' + fmtNum(r.purged))
      + ((r.refused || []).length ? '; refused: ' + r.refused.map((x) => x.id + ' (' + x.reason + ')').join(', ') : '');
    state.selected.clear();
    await loadDeadLetters();
  } catch (e) {
    result.className = 'result refused';
    result.textContent = refusal(e, 'This action')
      || (e instanceof ApiError && e.status === 404 ? 'Not available on this aggregator (its route answered 404).' : 'Failed: ' + e.message);
  }
}

// ---- wiring ----------------------------------------------------------------------------------------------------

const LOADERS = {
  overview: [['overview-note', 'The overview', loadOverview]],
  workers: [['workers-note', 'The workers view', loadWorkers]],
  jobs: [['job-summary', 'The job view', loadJob], ['jobs-note', 'The job list', loadJobList]],
  'dead-letters': [['dlq-note', 'The dead-letter list', loadDeadLetters]],
};

let refreshFailed = false;

async function guarded(noteId, what, load) {
  try {
    await load();
    return true;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) lastShown.clear(); // drawn again at the next answer
    report(noteId, e, what);
    refreshFailed = refreshFailed || refusal(e, what) !== null;
    return false;
  }
}

async function refresh() {
  refreshFailed = false;
  const loads = LOADERS[state.view] || [];
  const results = await Promise.all(loads.map(([note, what, load]) => guarded(note, what, load)));
  if (!refreshFailed && results.every(Boolean)) showBanner('');
  setText('updated', 'updated ' + new Date().toLocaleTimeString('en-GB'));
}

function show(view) {
  state.view = VIEWS.includes(view) ? view : 'overview';
  for (const v of VIEWS) $('view-' + v).hidden = v !== state.view;
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.view === state.view);
  refresh();
}

function init() {
  $('token').value = sessionStorage.getItem(TOKEN_KEY) || '';
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = $('token').value.trim();
    if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
    refresh();
  });
  $('job-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.jobId = $('job-id').value.trim() || null;
    location.hash = '#jobs';
    guarded('job-summary', 'The job view', loadJob);
  });
  $('jobs-filter').addEventListener('submit', (ev) => { ev.preventDefault(); state.jobsCursor = null; guarded('jobs-note', 'The job list', loadJobList); });
  $('jobs-more').addEventListener('click', () => { state.jobsCursor = $('jobs-more').dataset.cursor || null; guarded('jobs-note', 'The job list', loadJobList); });
  $('dlq-filter').addEventListener('submit', (ev) => { ev.preventDefault(); state.dlqCursors = [null]; guarded('dlq-note', 'The dead-letter list', loadDeadLetters); });
  $('dlq-first').addEventListener('click', () => { state.dlqCursors = [null]; guarded('dlq-note', 'The dead-letter list', loadDeadLetters); });
  $('dlq-next').addEventListener('click', () => {
    if (state.dlqNext) state.dlqCursors.push(state.dlqNext);
    guarded('dlq-note', 'The dead-letter list', loadDeadLetters);
  });
  $('dlq-all').addEventListener('change', () => {
    for (const box of document.querySelectorAll('.dlq-select')) {
      box.checked = $('dlq-all').checked;
      if (box.checked) state.selected.add(box.dataset.id); else state.selected.delete(box.dataset.id);
    }
  });
  $('dlq-redrive').addEventListener('click', () => act('redrive'));
  $('dlq-purge').addEventListener('click', () => act('purge'));
  window.addEventListener('hashchange', () => show(location.hash.slice(1)));
  show(location.hash.slice(1));
  setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
}

document.addEventListener('DOMContentLoaded', init);
