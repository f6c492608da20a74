/**
 * The console's run list, served as `/console.js`: plain browser JavaScript in a string, so it
 * ships inside the bundle; it must not use template literals. The list comes from the server's
 * event stream (`/events/runs`) and is redrawn on every change, without a reload. Every value,
 * including run ids and the names of waits, is written with textContent.
 */
export const CONSOLE_SCRIPT = String.raw`'use strict';
(function () {
  var STATUSES = ['running', 'waiting', 'interrupted', 'failed', 'cancelled', 'done'];
  var state = { runs: [], filter: '', updates: 0 };

  function byIdOf(id) { return document.getElementById(id); }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  var countFormat = new Intl.NumberFormat('en-US');
  function formatCost(value) {
    var amount = Number(value || 0);
    if (amount === 0) return '$0';
    if (amount < 0.0001) return '< $0.0001';
    return '$' + amount.toFixed(4);
  }
  function formatStarted(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return iso;
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate()) + ' ' + pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds());
  }

  function readFilter() {
    var status = new URLSearchParams(location.search).get('status') || '';
    state.filter = STATUSES.indexOf(status) >= 0 ? status : '';
  }

  function setFilter(status) {
    state.filter = status;
    var url = new URL(location.href);
    if (status) url.searchParams.set('status', status); else url.searchParams.delete('status');
    history.replaceState(null, '', url.pathname + url.search);
    render();
  }

  function renderFilters() {
    var counts = {};
    state.runs.forEach(function (run) { counts[run.status] = (counts[run.status] || 0) + 1; });
    var bar = byIdOf('status-filter');
    bar.replaceChildren();
    [''].concat(STATUSES).forEach(function (status) {
      var button = element('button', 'filter' + (state.filter === status ? ' is-active' : ''));
      button.type = 'button';
      button.dataset.status = status || 'all';
      button.setAttribute('aria-pressed', state.filter === status ? 'true' : 'false');
      if (status) button.appendChild(element('span', 'dot ' + status));
      button.appendChild(element('span', '', status || 'all'));
      button.appendChild(element('span', 'count', status ? counts[status] || 0 : state.runs.length));
      button.addEventListener('click', function () { setFilter(status); });
      bar.appendChild(button);
    });
  }

  function render() {
    renderFilters();
    var rows = state.runs.filter(function (run) { return !state.filter || run.status === state.filter; });
    var body = byIdOf('run-rows');
    var fragment = document.createDocumentFragment();
    rows.forEach(function (run) {
      var line = element('tr', 'run-row ' + run.status);
      line.dataset.runId = run.id;
      line.dataset.status = run.status;
      var idCell = element('td', 'run-id-cell');
      var link = element('a', '', run.id);
      link.href = '/runs/' + encodeURIComponent(run.id);
      idCell.appendChild(link);
      line.appendChild(idCell);
      line.appendChild(element('td', '', run.workflow));
      var statusCell = element('td');
      statusCell.appendChild(element('span', 'badge ' + run.status, run.status));
      line.appendChild(statusCell);
      var waits = (run.waits || []).map(function (wait) { return wait.kind === 'sleep' ? 'sleep' : wait.name; });
      line.appendChild(element('td', 'waits-cell', waits.join(', ')));
      line.appendChild(element('td', 'number-left', formatStarted(run.startedAt)));
      line.appendChild(element('td', 'number', run.stepsDone + '/' + (run.stepsTotal === undefined || run.stepsTotal === null ? '?' : run.stepsTotal)));
      line.appendChild(element('td', 'number', countFormat.format(run.inputTokens + run.outputTokens)));
      line.appendChild(element('td', 'number', formatCost(run.costUsd)));
      fragment.appendChild(line);
    });
    body.replaceChildren(fragment);
    var empty = byIdOf('runs-empty');
    empty.hidden = rows.length > 0;
    empty.textContent = state.runs.length === 0
      ? 'No runs yet. Start one (braid faq, braid route, braid run …) and it appears here.'
      : 'No ' + state.filter + ' runs.';
    var live = state.runs.filter(function (run) { return run.status === 'running'; }).length;
    var waiting = state.runs.filter(function (run) { return run.status === 'waiting'; }).length;
    byIdOf('runs-summary').textContent = state.runs.length + ' runs' + (live ? ' · ' + live + ' running' : '') + (waiting ? ' · ' + waiting + ' waiting' : '');
    document.title = (waiting ? '(' + waiting + ') ' : '') + 'braid runs';
    state.updates += 1;
    document.documentElement.dataset.updates = String(state.updates);
    document.documentElement.dataset.ready = 'true';
  }

  function connect() {
    var source = new EventSource('/events/runs');
    source.addEventListener('runs', function (event) {
      var data = JSON.parse(event.data);
      state.runs = data.runs;
      byIdOf('load-error').hidden = true;
      byIdOf('connection').hidden = false;
      render();
    });
    source.addEventListener('error', function () {
      // EventSource reconnects on its own; say so while it does
      byIdOf('connection').hidden = true;
      var message = byIdOf('load-error');
      message.textContent = 'Lost the connection to braid view; reconnecting…';
      message.hidden = false;
    });
  }

  function start() {
    readFilter();
    connect();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
