/**
 * The run page's timeline script, served as `/viewer.js`. It is plain browser JavaScript kept in a
 * string so it ships inside the bundle (no asset copying); it must not use template literals.
 *
 * On a trace file it draws `/api/run` once. In the console (`/runs/<id>`) it follows the run's
 * event stream: the whole trace first, then the spans recorded since, redrawn at most once a
 * second, keeping the selected step; each message is also handed to `run-panel.js` as a
 * `braid:run` event.
 *
 * Every piece of model text (prompts, outputs, errors, step names) goes into the page through
 * textContent or canvas text, never as markup.
 */
export const VIEWER_SCRIPT = String.raw`'use strict';
(function () {
  var COLORS = {
    step: '#e2e8f0', stepEdge: '#cbd5e1', ok: '#3b82f6', failed: '#ef4444', rateLimited: '#f97316',
    wait: '#f59e0b', waitSoft: '#fffbeb', backoff: '#e11d48', backoffSoft: '#ffe4e6', replayed: '#14b8a6',
    critical: '#7c3aed', criticalSoft: '#f3efff', selected: '#fef3c7', label: '#334155', grid: '#eef2f7',
    pause: '#d97706', pauseSoft: '#fde68a'
  };
  // WAIT is a limiter queue before a call; PAUSE is the run's own durable wait (waitFor, sleep)
  var KIND = { STEP: 0, WAIT: 1, BACKOFF: 2, OK: 3, FAILED: 4, RATE_LIMITED: 5, REPLAYED: 6, PAUSE: 7 };
  var VISIBLE_ROWS = 24;
  var ROW_HEIGHT = 26;
  /** A live run is redrawn at most this often: a big run records hundreds of spans a second. */
  var REDRAW_MS = 1000;

  var state = {
    rows: [], items: [], refs: [], byId: new Map(), critical: new Set(), t0: 0, tEnd: 0, selectedRow: -1, chart: null,
    rowWindow: { start: 0, end: VISIBLE_ROWS - 1 }, selectedSpanId: null, selectedAttempt: -1, isScrolling: false,
    hasLegend: false, renders: 0
  };

  function byIdOf(id) { return document.getElementById(id); }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function formatMs(ms) {
    if (!isFinite(ms)) return '–';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
    var minutes = Math.floor(ms / 60000);
    return minutes + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
  }

  // ticks fall on round values, so the fewest decimals that show the value exactly are enough
  function trimmed(value) { return String(+value.toFixed(3)); }

  function formatAxisMs(ms) {
    if (ms === 0) return '0';
    if (Math.abs(ms) < 1000) return trimmed(ms) + ' ms';
    if (Math.abs(ms) < 600000) return trimmed(ms / 1000) + ' s';
    return Math.floor(ms / 60000) + ' min ' + trimmed((ms % 60000) / 1000) + ' s';
  }

  var countFormat = new Intl.NumberFormat('en-US'); // one instance: toLocaleString per cell is slow for 5,000 rows
  function formatCount(value) { return countFormat.format(Number(value || 0)); }
  function formatCost(value) {
    var amount = Number(value || 0);
    if (amount === 0) return '$0';
    if (amount < 0.000001) return '< $0.000001';
    if (amount < 0.01) return '$' + amount.toPrecision(2);
    return '$' + amount.toFixed(amount >= 1 ? 2 : 4);
  }

  function showLoadError(text) {
    var message = byIdOf('load-error');
    message.textContent = text;
    message.hidden = false;
  }

  function load() {
    listenOnce();
    var match = /^\/runs\/([^/]+)$/.exec(location.pathname);
    if (match) {
      follow(match[1]);
      return;
    }
    // ?scope=<position path> (an eval case's timeline link) asks for that part of the run only
    fetch('/api/run' + location.search, { headers: { accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('the server answered ' + response.status);
        return response.json();
      })
      .then(show)
      .catch(function (error) {
        showLoadError('Could not load the run: ' + (error && error.message ? error.message : String(error)));
        document.documentElement.dataset.ready = 'error';
      });
  }

  /** The console's run page: the trace as the run records it, from the server's event stream. */
  function follow(encodedId) {
    var live = { spans: [], index: new Map(), data: null, timer: 0, lastDraw: 0 };
    function draw() {
      live.timer = 0;
      live.lastDraw = Date.now();
      show(live.data);
    }
    var source = new EventSource('/events/runs/' + encodedId);
    source.addEventListener('run', function (event) {
      var message = JSON.parse(event.data);
      byIdOf('load-error').hidden = true;
      if (message.reset) {
        live.spans = [];
        live.index = new Map();
      }
      message.spans.forEach(function (span) {
        var at = live.index.get(span.id);
        if (at === undefined) {
          live.index.set(span.id, live.spans.length);
          live.spans.push(span);
        } else {
          live.spans[at] = span;
        }
      });
      live.data = { title: message.title, runId: message.runId, summary: message.summary, criticalPath: message.criticalPath, spans: live.spans };
      document.dispatchEvent(new CustomEvent('braid:run', { detail: message }));
      if (live.timer) return;
      var due = live.lastDraw + REDRAW_MS - Date.now();
      if (due <= 0) draw();
      else live.timer = setTimeout(draw, due);
    });
    source.addEventListener('error', function () {
      if (source.readyState === EventSource.CLOSED) {
        showLoadError('Could not load the run: it is not in the store.');
        document.documentElement.dataset.ready = 'error';
        return;
      }
      // EventSource reconnects on its own; the server then sends the whole trace again
      showLoadError('Lost the connection to braid view; reconnecting…');
    });
  }

  function show(data) {
    document.title = data.title + ' · braid';
    byIdOf('run-title').textContent = data.title;
    byIdOf('run-id').textContent = data.runId ? 'run ' + data.runId : '';
    prepare(data);
    renderTotals(data);
    if (!state.hasLegend) renderLegend();
    state.hasLegend = true;
    renderCriticalPath(data);
    renderStepTable();
    renderChart();
    restoreSelection();
    state.renders += 1;
    document.documentElement.dataset.renders = String(state.renders);
  }

  /** Listeners on elements that outlive a redraw: added once, not per render. */
  function listenOnce() {
    byIdOf('step-rows').addEventListener('click', function (event) {
      // one listener for thousands of rows
      var line = event.target.closest('.step-row');
      if (line && line.dataset.row !== undefined) select(Number(line.dataset.row), -1, true);
    });
    byIdOf('fit-time').addEventListener('change', fitTime);
    window.addEventListener('resize', function () { if (state.chart) state.chart.resize(); });
  }

  /** After a redraw, the step that was open stays open (its row may have moved). */
  function restoreSelection() {
    if (state.selectedSpanId === null) return;
    for (var index = 0; index < state.rows.length; index += 1) {
      if (state.rows[index].step.id === state.selectedSpanId) {
        select(index, state.selectedAttempt, false, true);
        return;
      }
    }
  }

  // ---- the run as rows (one per step) and bars ------------------------------------------------

  function prepare(data) {
    var spans = data.spans;
    state.byId = new Map();
    var t0 = Infinity;
    var tEnd = 0;
    spans.forEach(function (span) {
      state.byId.set(span.id, span);
      if (span.start > 0 && span.start < t0) t0 = span.start;
      tEnd = Math.max(tEnd, span.end || span.start);
    });
    state.t0 = isFinite(t0) ? t0 : 0;
    state.tEnd = Math.max(tEnd, state.t0);
    state.critical = new Set(data.criticalPath.ids);

    var attemptsByStep = new Map();
    spans.forEach(function (span) {
      if (span.kind !== 'attempt') return;
      var key = span.parentId || span.id;
      if (!attemptsByStep.has(key)) attemptsByStep.set(key, []);
      attemptsByStep.get(key).push(span);
    });
    // a durable wait gets a row of its own, like a step without calls
    var steps = spans.filter(function (span) { return span.kind === 'step' || span.kind === 'wait'; });
    // a run cut short can leave attempts whose step never closed: give them a row of their own
    attemptsByStep.forEach(function (attempts, key) {
      var parent = state.byId.get(key);
      if (parent && parent.kind === 'step') return;
      var first = attempts[0];
      steps.push({
        id: key, parentId: parent ? parent.id : undefined, kind: 'step', name: first.name, model: first.model,
        start: Math.min.apply(null, attempts.map(function (a) { return a.start; })),
        end: Math.max.apply(null, attempts.map(function (a) { return a.end || a.start; })),
        status: attempts[attempts.length - 1].status, attempts: attempts.length, isSynthetic: true
      });
    });
    var collator = new Intl.Collator('en', { numeric: true });
    var rows = steps.map(function (step) {
      var attempts = (attemptsByStep.get(step.id) || []).slice().sort(function (a, b) { return a.start - b.start; });
      var groups = groupNames(step);
      return {
        index: 0,
        step: step,
        attempts: attempts,
        end: step.end || Math.max(state.tEnd, step.start),
        path: groups.concat([step.name]).join(' › '),
        label: (groups.length > 0 ? groups[groups.length - 1] + ' › ' : '') + step.name,
        isCritical: state.critical.has(step.id)
      };
    });
    // steps that start in the same millisecond (a fan-out) read best in item order: cities[2] before cities[10]
    rows.sort(function (a, b) { return a.step.start - b.step.start || collator.compare(a.path, b.path); });
    rows.forEach(function (row, index) { row.index = index; });
    state.rows = rows;

    var items = [];
    var refs = [];
    var t = state.t0;
    state.rows.forEach(function (row) {
      refs.push({ row: row.index, span: row.step, attempt: -1 });
      var envelope = row.step.kind === 'wait' ? KIND.PAUSE : row.step.replayed ? KIND.REPLAYED : KIND.STEP;
      items.push([row.index, row.step.start - t, row.end - t, envelope, refs.length - 1]);
      row.attempts.forEach(function (attempt, position) {
        refs.push({ row: row.index, span: attempt, attempt: position });
        var ref = refs.length - 1;
        var wait = attempt.waitMs || 0;
        var backoff = attempt.backoffMs || 0;
        // the engine sleeps the backoff first, then queues in the limiter, then sends at start
        if (backoff > 0) items.push([row.index, attempt.start - wait - backoff - t, attempt.start - wait - t, KIND.BACKOFF, ref]);
        if (wait > 0) items.push([row.index, attempt.start - wait - t, attempt.start - t, KIND.WAIT, ref]);
        items.push([row.index, attempt.start - t, (attempt.end || attempt.start) - t, attemptKind(attempt), ref]);
      });
    });
    state.items = items;
    state.refs = refs;
  }

  function attemptKind(attempt) {
    if (attempt.replayed) return KIND.REPLAYED;
    if (attempt.rateLimited) return KIND.RATE_LIMITED;
    return attempt.status === 'ok' ? KIND.OK : KIND.FAILED;
  }

  function groupNames(step) {
    var names = [];
    var seen = new Set();
    var current = step.parentId ? state.byId.get(step.parentId) : undefined;
    while (current && current.kind === 'group' && !seen.has(current.id)) {
      seen.add(current.id);
      // a labelled group (a document, a query) reads as what it is, not as item[3]
      names.unshift(current.label ? current.name + ' ' + current.label : current.name);
      current = current.parentId ? state.byId.get(current.parentId) : undefined;
    }
    return names;
  }

  // ---- totals, legend, critical path, step table ----------------------------------------------

  function renderTotals(data) {
    var summary = data.summary;
    var waited = 0;
    var backedOff = 0;
    data.spans.forEach(function (span) {
      if (span.kind !== 'attempt') return;
      waited += span.waitMs || 0;
      backedOff += span.backoffMs || 0;
    });
    var share = summary.wallMs > 0 ? Math.round((100 * data.criticalPath.ms) / summary.wallMs) + '% of wall time' : '';
    var cards = [
      ['Wall time', formatMs(summary.wallMs), 'start to finish', ''],
      ['Critical path', formatMs(data.criticalPath.ms), share, 'critical'],
      ['Steps', formatCount(summary.steps), summary.failedSteps + ' failed' + (summary.cacheHits + summary.replayedSteps > 0 ? ' · ' + (summary.cacheHits + summary.replayedSteps) + ' replayed' : ''), ''],
      ['Calls', formatCount(summary.calls), 'on the wire', ''],
      ['Retries', formatCount(summary.retries), 'after the first try', ''],
      ['429s', formatCount(summary.rateLimited), 'rate-limited', summary.rateLimited > 0 ? 'alert' : ''],
      ['Limiter wait', formatMs(waited), 'backoff ' + formatMs(backedOff), ''],
      ['Tokens in', formatCount(summary.inputTokens), formatCount(summary.cachedInputTokens) + ' cached', ''],
      ['Tokens out', formatCount(summary.outputTokens), '', ''],
      ['Cost', formatCost(summary.costUsd), '', '']
    ];
    var totals = byIdOf('totals');
    totals.replaceChildren();
    cards.forEach(function (card) {
      var node = element('div', 'card' + (card[3] ? ' ' + card[3] : ''));
      node.dataset.total = card[0];
      node.appendChild(element('div', 'label', card[0]));
      node.appendChild(element('div', 'value', card[1]));
      node.appendChild(element('div', 'note', card[2] || ' '));
      totals.appendChild(node);
    });
  }

  function renderLegend() {
    var entries = [
      ['step', 'Step'], ['ok', 'Attempt'], ['failed', 'Failed attempt'], ['rate-limited', '429 attempt'],
      ['wait', 'Limiter wait'], ['backoff', 'Backoff'], ['replayed', 'Replayed (cache/journal)'], ['pause', 'Durable wait'], ['critical', 'Critical path']
    ];
    var legend = byIdOf('legend');
    entries.forEach(function (entry) {
      var item = element('li');
      item.dataset.legend = entry[0];
      item.appendChild(element('span', 'swatch ' + entry[0]));
      item.appendChild(element('span', '', entry[1]));
      legend.appendChild(item);
    });
  }

  function renderCriticalPath(data) {
    var list = byIdOf('critical-path');
    list.replaceChildren();
    var rowOf = new Map(state.rows.map(function (row) { return [row.step.id, row]; }));
    var count = 0;
    data.criticalPath.ids.forEach(function (id) {
      var row = rowOf.get(id);
      if (!row) return;
      count += 1;
      var onPath = row.attempts.filter(function (attempt) { return state.critical.has(attempt.id); });
      var ms = onPath.length > 0
        ? onPath.reduce(function (total, attempt) { return total + (attempt.end - attempt.start); }, 0)
        : row.end - row.step.start;
      var item = element('li');
      item.tabIndex = 0;
      item.dataset.spanId = id;
      item.title = row.path;
      item.appendChild(element('span', 'hop-name', row.label));
      item.appendChild(element('span', 'hop-time', formatMs(ms)));
      item.addEventListener('click', function () { select(row.index, -1, true); });
      item.addEventListener('keydown', function (event) { if (event.key === 'Enter') select(row.index, -1, true); });
      list.appendChild(item);
    });
    byIdOf('critical-summary').textContent = count > 0
      ? count + ' steps · ' + formatMs(data.criticalPath.ms) + ' with no waiting and unlimited parallelism'
      : 'no finished calls';
  }

  function renderStepTable() {
    var body = byIdOf('step-rows');
    var fragment = document.createDocumentFragment();
    state.rows.forEach(function (row) {
      var step = row.step;
      var tokensIn = 0;
      var tokensOut = 0;
      var cost = 0;
      var waited = 0;
      row.attempts.forEach(function (attempt) {
        tokensIn += attempt.inputTokens || 0;
        tokensOut += attempt.outputTokens || 0;
        cost += attempt.costUsd || 0;
        waited += (attempt.waitMs || 0) + (attempt.backoffMs || 0);
      });
      var line = element('div', 'step-row' + (row.isCritical ? ' is-critical' : ''));
      line.setAttribute('role', 'row');
      line.dataset.row = String(row.index);
      line.dataset.spanId = step.id;
      function cell(className, text) {
        var node = element('span', className, text);
        node.setAttribute('role', 'cell');
        line.appendChild(node);
        return node;
      }
      cell('number', row.index + 1);
      cell('', row.label).title = row.path;
      cell('', step.model || '');
      cell('').appendChild(element('span', 'badge ' + step.status, step.replayed ? step.replayed : step.status));
      cell('number', step.attempts !== undefined ? step.attempts : row.attempts.length);
      cell('number', waited > 0 ? formatMs(waited) : '');
      cell('number', formatMs(row.end - step.start));
      cell('number', formatCount(tokensIn) + ' / ' + formatCount(tokensOut));
      cell('number', cost > 0 ? formatCost(cost) : '');
      fragment.appendChild(line);
    });
    body.replaceChildren(fragment);
    var waits = state.rows.filter(function (row) { return row.step.kind === 'wait'; }).length;
    var failed = state.rows.filter(function (row) { return row.step.kind !== 'wait' && row.step.status !== 'ok'; }).length;
    byIdOf('steps-summary').textContent = (state.rows.length - waits) + ' steps' + (waits > 0 ? ' · ' + waits + (waits === 1 ? ' wait' : ' waits') : '') + (failed > 0 ? ' · ' + failed + ' failed' : '');
  }

  // ---- the chart --------------------------------------------------------------------------------

  function stripes(foreground, background, diagonal) {
    var canvas = document.createElement('canvas');
    canvas.width = 6;
    canvas.height = 6;
    var context = canvas.getContext('2d');
    context.fillStyle = background;
    context.fillRect(0, 0, 6, 6);
    context.strokeStyle = foreground;
    context.lineWidth = 2;
    context.beginPath();
    if (diagonal) {
      context.moveTo(-1, 7); context.lineTo(7, -1);
      context.moveTo(-4, 4); context.lineTo(4, -4);
      context.moveTo(2, 10); context.lineTo(10, 2);
    } else {
      context.moveTo(1, 0); context.lineTo(1, 6);
      context.moveTo(4, 0); context.lineTo(4, 6);
    }
    context.stroke();
    return { image: canvas, repeat: 'repeat' };
  }

  function renderChart() {
    var chartElement = byIdOf('chart');
    var rowCount = state.rows.length;
    if (state.chart) {
      state.chart.dispose();
      state.chart = null;
    }
    chartElement.replaceChildren();
    chartElement.classList.remove('muted');
    chartElement.dataset.rows = String(rowCount);
    chartElement.dataset.bars = String(state.items.length);
    if (rowCount === 0) {
      chartElement.classList.add('muted');
      chartElement.style.height = 'auto';
      chartElement.textContent = 'This run has no steps yet.';
      document.documentElement.dataset.ready = 'true';
      return;
    }
    var isScrolling = rowCount > VISIBLE_ROWS;
    // keep the rows in view across a redraw of a live run
    var rowSpan = Math.min(VISIBLE_ROWS, rowCount);
    var firstRow = Math.max(0, Math.min(state.rowWindow.start, rowCount - rowSpan));
    state.rowWindow = { start: firstRow, end: firstRow + rowSpan - 1 };
    var shownRows = Math.min(rowCount, VISIBLE_ROWS);
    chartElement.style.height = (shownRows * ROW_HEIGHT + 66) + 'px';

    var waitFill = stripes(COLORS.wait, COLORS.waitSoft, false);
    var backoffFill = stripes(COLORS.backoff, COLORS.backoffSoft, true);
    var chart = echarts.init(chartElement, null, { renderer: 'canvas' });
    state.chart = chart;

    function renderBar(params, api) {
      var rowIndex = api.value(0);
      var kind = api.value(3);
      var ref = state.refs[api.value(4)];
      var from = api.coord([api.value(1), rowIndex]);
      var to = api.coord([api.value(2), rowIndex]);
      var band = api.size([0, 1])[1];
      var isEnvelope = kind === KIND.STEP || kind === KIND.PAUSE || (kind === KIND.REPLAYED && ref.attempt < 0);
      var height = Math.max(3, band * (isEnvelope ? 0.74 : 0.46));
      var system = params.coordSys;
      var shape = echarts.graphic.clipRectByRect(
        { x: from[0], y: from[1] - height / 2, width: Math.max(to[0] - from[0], 2), height: height },
        { x: system.x, y: system.y, width: system.width, height: system.height }
      );
      if (!shape) return null;
      var isCritical = state.critical.has(ref.span.id);
      var style;
      if (kind === KIND.STEP) {
        style = isCritical
          ? { fill: COLORS.criticalSoft, stroke: COLORS.critical, lineWidth: 1 }
          : { fill: COLORS.step, stroke: COLORS.stepEdge, lineWidth: 1 };
      } else if (kind === KIND.PAUSE) {
        style = { fill: COLORS.pauseSoft, stroke: COLORS.pause, lineWidth: 1.5, lineDash: [4, 3] };
      } else if (kind === KIND.WAIT) {
        style = { fill: waitFill, stroke: COLORS.wait, lineWidth: 1 };
      } else if (kind === KIND.BACKOFF) {
        style = { fill: backoffFill, stroke: COLORS.backoff, lineWidth: 1 };
      } else {
        var fill = kind === KIND.OK ? COLORS.ok : kind === KIND.FAILED ? COLORS.failed : kind === KIND.RATE_LIMITED ? COLORS.rateLimited : COLORS.replayed;
        style = isCritical ? { fill: fill, stroke: COLORS.critical, lineWidth: 2.5 } : { fill: fill };
      }
      var rect = { type: 'rect', shape: shape, style: style };
      var status = ref.span.httpStatus;
      if ((kind === KIND.RATE_LIMITED || kind === KIND.FAILED) && status && shape.width > 28) {
        return {
          type: 'group',
          children: [rect, {
            type: 'text',
            style: { text: String(status), x: shape.x + shape.width / 2, y: shape.y + shape.height / 2, fill: '#fff', font: '600 10px system-ui, sans-serif', align: 'center', verticalAlign: 'middle' }
          }]
        };
      }
      return rect;
    }

    function renderSelection(params, api) {
      var rowIndex = api.value(0);
      var system = params.coordSys;
      var center = api.coord([0, rowIndex]);
      var band = api.size([0, 1])[1];
      var shape = echarts.graphic.clipRectByRect(
        { x: system.x, y: center[1] - band / 2, width: system.width, height: band },
        { x: system.x, y: system.y, width: system.width, height: system.height }
      );
      return shape ? { type: 'rect', shape: shape, style: { fill: COLORS.selected } } : null;
    }

    var totalMs = Math.max(1, state.tEnd - state.t0);
    var dataZoom = [
      { id: 'time-slider', type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', height: 16, bottom: 10, showDetail: false, borderColor: '#e2e8f0', fillerColor: 'rgba(124,58,237,0.12)', handleStyle: { color: '#ede9fe', borderColor: '#7c3aed' }, moveHandleSize: 0, showDataShadow: false },
      { id: 'time-inside', type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter', zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: false, moveOnMouseMove: true }
    ];
    if (isScrolling) {
      dataZoom.push(
        { id: 'rows-slider', type: 'slider', yAxisIndex: 0, filterMode: 'weakFilter', right: 8, width: 14, startValue: state.rowWindow.start, endValue: state.rowWindow.end, zoomLock: true, showDetail: false, brushSelect: false, borderColor: '#e2e8f0', fillerColor: 'rgba(100,116,139,0.18)', handleSize: 0, moveHandleSize: 0, showDataShadow: false },
        { id: 'rows-inside', type: 'inside', yAxisIndex: 0, filterMode: 'weakFilter', startValue: state.rowWindow.start, endValue: state.rowWindow.end, zoomOnMouseWheel: false, moveOnMouseWheel: true, moveOnMouseMove: false }
      );
    }

    // before setOption: without animation the first render can finish inside it
    chart.on('finished', function () {
      if (document.documentElement.dataset.ready !== 'true') document.documentElement.dataset.ready = 'true';
    });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
      grid: { left: 236, right: isScrolling ? 36 : 14, top: 6, bottom: 52 },
      xAxis: {
        type: 'value', min: 0, max: totalMs, position: 'bottom',
        axisLabel: { formatter: formatAxisMs, color: '#64748b', hideOverlap: true },
        axisLine: { lineStyle: { color: '#cbd5e1' } },
        splitLine: { lineStyle: { color: COLORS.grid } }
      },
      yAxis: {
        type: 'category', inverse: true,
        // per-category text style: a colour callback gets indexes relative to the zoom window
        data: state.rows.map(function (row) {
          return row.isCritical ? { value: '◆ ' + row.label, textStyle: { color: COLORS.critical, fontWeight: 600 } } : row.label;
        }),
        axisTick: { show: false },
        axisLine: { lineStyle: { color: '#cbd5e1' } },
        splitLine: { show: true, lineStyle: { color: '#f1f5f9' } },
        axisLabel: {
          width: 220, overflow: 'truncate', interval: 0, fontSize: 12, color: COLORS.label
        }
      },
      dataZoom: dataZoom,
      series: [
        { id: 'selection', type: 'custom', silent: true, z: 1, renderItem: renderSelection, encode: { x: [1, 2], y: 0 }, data: [] },
        { id: 'bars', type: 'custom', z: 2, clip: true, renderItem: renderBar, encode: { x: [1, 2], y: 0 }, data: state.items }
      ]
    });

    var tooltip = byIdOf('tooltip');
    chart.on('mousemove', { seriesId: 'bars' }, function (params) { showTooltip(tooltip, params); });
    chart.on('mouseout', { seriesId: 'bars' }, function () { tooltip.hidden = true; });
    chart.on('globalout', function () { tooltip.hidden = true; });
    var fitInput = byIdOf('fit-time');
    fitInput.closest('label').hidden = !isScrolling;
    // a live run's redraw keeps the person's choice; it is set only when the rows start to scroll
    if (isScrolling !== state.isScrolling) fitInput.checked = isScrolling;
    state.isScrolling = isScrolling;
    chart.on('datazoom', function (event) {
      var isRowsMoved = false;
      var isTimeMoved = false;
      (event.batch || [event]).forEach(function (entry) {
        if (entry.dataZoomId === 'rows-slider' || entry.dataZoomId === 'rows-inside') {
          isRowsMoved = true;
          var last = state.rows.length - 1;
          state.rowWindow = entry.startValue !== undefined
            ? { start: entry.startValue, end: entry.endValue }
            : { start: Math.round((entry.start / 100) * last), end: Math.round((entry.end / 100) * last) };
        } else if (entry.dataZoomId === 'time-slider' || entry.dataZoomId === 'time-inside') {
          isTimeMoved = true;
        }
      });
      if (isRowsMoved) showRowRange();
      // zooming time by hand means the person wants that range: stop following the rows
      if (isTimeMoved) fitInput.checked = false;
      else if (isRowsMoved) fitTime();
    });
    if (isScrolling) {
      showRowRange();
      fitTime();
    }
    chart.on('click', { seriesId: 'bars' }, function (params) {
      var ref = state.refs[params.data[4]];
      select(ref.row, ref.attempt, false);
    });
  }

  function showRowRange() {
    byIdOf('row-range').textContent = 'rows ' + formatCount(state.rowWindow.start + 1) + '–' +
      formatCount(Math.min(state.rowWindow.end + 1, state.rows.length)) + ' of ' + formatCount(state.rows.length);
  }

  /** With thousands of rows the run is minutes long and each row's bars are slivers: zoom time to the rows in view. */
  function fitTime() {
    var fitInput = byIdOf('fit-time');
    if (!fitInput.checked || !state.chart) return;
    var from = Infinity;
    var to = 0;
    for (var index = Math.max(0, state.rowWindow.start); index <= Math.min(state.rows.length - 1, state.rowWindow.end); index += 1) {
      var row = state.rows[index];
      from = Math.min(from, row.step.start - state.t0);
      to = Math.max(to, row.end - state.t0);
    }
    if (!isFinite(from)) return;
    var padding = Math.max((to - from) * 0.04, 1);
    state.chart.dispatchAction(
      { type: 'dataZoom', dataZoomId: 'time-slider', startValue: Math.max(0, from - padding), endValue: Math.min(state.tEnd - state.t0, to + padding) },
      { silent: true }
    );
  }

  function showTooltip(tooltip, params) {
    var ref = state.refs[params.data[4]];
    var kind = params.data[3];
    var span = ref.span;
    var row = state.rows[ref.row];
    var lines = [];
    if (span.kind === 'wait') {
      lines.push(['title', row.label]);
      lines.push(['', 'durable wait · ' + span.status + ' · ' + formatMs(row.end - span.start)]);
      if (span.prompt) lines.push(['', span.prompt]);
    } else if (ref.attempt < 0) {
      lines.push(['title', row.label]);
      lines.push(['', 'step · ' + (span.replayed ? 'replayed from ' + span.replayed : span.status) + ' · ' + formatMs(row.end - span.start)]);
      lines.push(['', (span.attempts !== undefined ? span.attempts : row.attempts.length) + ' attempt(s)' + (span.model ? ' · ' + span.model : '')]);
    } else {
      var label = 'attempt ' + (ref.attempt + 1) + ' of ' + row.label;
      lines.push(['title', label]);
      if (kind === KIND.WAIT) lines.push(['', 'queued in the rate limiter ' + formatMs(span.waitMs)]);
      else if (kind === KIND.BACKOFF) lines.push(['', 'backoff ' + formatMs(span.backoffMs) + ' after a failed attempt']);
      else {
        lines.push(['', 'on the wire ' + formatMs(span.end - span.start) + ' · ' + span.status + (span.httpStatus ? ' · HTTP ' + span.httpStatus : '')]);
        if (span.firstTokenMs !== undefined) lines.push(['', 'streamed · first token after ' + formatMs(span.firstTokenMs)]);
        if (span.rateLimited) lines.push(['', 'rate-limited (429)']);
        if (span.waitMs || span.backoffMs) lines.push(['', 'waited ' + formatMs(span.waitMs || 0) + ' · backoff ' + formatMs(span.backoffMs || 0)]);
        if (span.inputTokens || span.outputTokens) lines.push(['', formatCount(span.inputTokens) + ' in / ' + formatCount(span.outputTokens) + ' out tokens']);
        if (span.error) lines.push(['', span.error]);
      }
    }
    if (state.critical.has(span.id)) lines.push(['', '◆ on the critical path']);
    tooltip.replaceChildren();
    lines.forEach(function (line) { tooltip.appendChild(element('div', line[0] === 'title' ? 'tooltip-title' : '', line[1])); });
    tooltip.hidden = false;
    var event = params.event && params.event.event;
    var x = event ? event.offsetX : 0;
    var y = event ? event.offsetY : 0;
    var width = tooltip.offsetWidth;
    var chartWidth = byIdOf('chart').clientWidth;
    tooltip.style.left = Math.max(0, Math.min(x + 14, chartWidth - width - 4)) + 'px';
    tooltip.style.top = (y + 16) + 'px';
  }

  // ---- selection and the detail panel ---------------------------------------------------------

  function select(rowIndex, attemptIndex, isFromList, isRedraw) {
    var row = state.rows[rowIndex];
    if (!row) return;
    state.selectedRow = rowIndex;
    state.selectedSpanId = row.step.id;
    state.selectedAttempt = attemptIndex;
    if (state.chart) {
      state.chart.setOption({ series: [{ id: 'selection', data: [[rowIndex, 0, Math.max(1, state.tEnd - state.t0)]] }] });
      if (isFromList && !isRedraw) revealRow(rowIndex);
    }
    var body = byIdOf('step-rows');
    var previous = body.querySelector('.step-row.is-selected');
    if (previous) previous.classList.remove('is-selected');
    var line = body.children[rowIndex];
    if (line) {
      line.classList.add('is-selected');
      if (!isFromList && !isRedraw) {
        // scroll only the list, not the page, so the chart that was clicked stays in view
        var wrap = line.closest('.table-wrap');
        wrap.scrollTop = Math.max(0, line.offsetTop - wrap.clientHeight / 2);
      }
    }
    renderDetail(row, attemptIndex);
  }

  function revealRow(rowIndex) {
    if (state.rows.length <= VISIBLE_ROWS) return;
    if (rowIndex < state.rowWindow.start || rowIndex > state.rowWindow.end) {
      var first = Math.max(0, Math.min(rowIndex - Math.floor(VISIBLE_ROWS / 2), state.rows.length - VISIBLE_ROWS));
      state.rowWindow = { start: first, end: first + VISIBLE_ROWS - 1 };
      state.chart.dispatchAction({ type: 'dataZoom', dataZoomId: 'rows-slider', startValue: first, endValue: first + VISIBLE_ROWS - 1 }, { silent: true });
      showRowRange();
    }
    fitTime();
  }

  function renderDetail(row, attemptIndex) {
    var step = row.step;
    var panel = byIdOf('detail');
    panel.replaceChildren();
    panel.dataset.spanId = step.id;
    panel.appendChild(element('h2', '', step.name));
    if (row.path !== step.name) panel.appendChild(element('div', 'path', row.path));

    var badges = element('div', 'badges');
    badges.appendChild(element('span', 'badge ' + step.status, step.status));
    if (step.replayed) badges.appendChild(element('span', 'badge replayed', 'replayed from ' + step.replayed));
    if (row.attempts.some(function (attempt) { return attempt.rateLimited; })) badges.appendChild(element('span', 'badge rate-limited', '429'));
    if (row.isCritical) badges.appendChild(element('span', 'badge critical', '◆ critical path'));
    panel.appendChild(badges);

    var tokensIn = 0, tokensOut = 0, cached = 0, cost = 0, waited = 0, backedOff = 0;
    row.attempts.forEach(function (attempt) {
      tokensIn += attempt.inputTokens || 0;
      tokensOut += attempt.outputTokens || 0;
      cached += attempt.cachedInputTokens || 0;
      cost += attempt.costUsd || 0;
      waited += attempt.waitMs || 0;
      backedOff += attempt.backoffMs || 0;
    });
    var facts = element('dl');
    function fact(name, value) {
      facts.appendChild(element('dt', '', name));
      facts.appendChild(element('dd', '', value));
    }
    if (step.kind === 'wait') fact('Kind', 'a durable wait (waitFor or sleep): the answer, or the time it was due');
    fact('Model', step.model || '–');
    fact('Started', '+' + formatMs(step.start - state.t0));
    fact('Duration', formatMs(row.end - step.start));
    // a streamed step: how long its reader waited for the first text, against the whole answer's duration
    if (step.firstTokenMs !== undefined) fact('First token', formatMs(step.firstTokenMs));
    fact('Attempts', String(step.attempts !== undefined ? step.attempts : row.attempts.length));
    fact('Limiter wait', formatMs(waited));
    fact('Backoff', formatMs(backedOff));
    fact('Tokens', formatCount(tokensIn) + ' in (' + formatCount(cached) + ' cached) / ' + formatCount(tokensOut) + ' out');
    fact('Cost', formatCost(cost));
    panel.appendChild(facts);

    if (row.attempts.length > 0) {
      panel.appendChild(element('h3', '', 'Attempts'));
      var table = element('table', 'attempts');
      var head = element('tr');
      ['#', 'Status', 'Wait', 'Backoff', 'Wire', 'Tokens'].forEach(function (title, index) { head.appendChild(element('th', index >= 2 ? 'number' : '', title)); });
      var thead = element('thead');
      thead.appendChild(head);
      table.appendChild(thead);
      var tbody = element('tbody');
      row.attempts.forEach(function (attempt, index) {
        var tr = element('tr', index === attemptIndex ? 'is-selected' : '');
        tr.appendChild(element('td', '', (state.critical.has(attempt.id) ? '◆ ' : '') + (index + 1)));
        var status = element('td');
        status.appendChild(element('span', 'badge ' + (attempt.rateLimited ? 'rate-limited' : attempt.status), attempt.rateLimited ? '429' : attempt.httpStatus ? attempt.status + ' ' + attempt.httpStatus : attempt.status));
        tr.appendChild(status);
        tr.appendChild(element('td', 'number', attempt.waitMs ? formatMs(attempt.waitMs) : '–'));
        tr.appendChild(element('td', 'number', attempt.backoffMs ? formatMs(attempt.backoffMs) : '–'));
        tr.appendChild(element('td', 'number', formatMs((attempt.end || attempt.start) - attempt.start)));
        tr.appendChild(element('td', 'number', formatCount(attempt.inputTokens) + ' / ' + formatCount(attempt.outputTokens)));
        tbody.appendChild(tr);
        if (attempt.error) {
          var errorRow = element('tr');
          var cell = element('td', 'attempt-error', attempt.error);
          cell.colSpan = 6;
          errorRow.appendChild(cell);
          tbody.appendChild(errorRow);
        }
      });
      table.appendChild(tbody);
      panel.appendChild(table);
    }

    section(panel, 'Prompt', step.prompt, 'prompt');
    var lastOutput = row.attempts.length > 0 ? row.attempts[row.attempts.length - 1].output : undefined;
    section(panel, 'Output', step.output !== undefined ? step.output : lastOutput, 'output');
    if (step.error) section(panel, 'Error', step.error, 'error');

    // an invalid answer that was repaired: show what each earlier attempt said
    row.attempts.forEach(function (attempt, index) {
      if (attempt.output === undefined || index === row.attempts.length - 1) return;
      var details = element('details');
      if (index === attemptIndex) details.open = true;
      details.appendChild(element('summary', '', 'Output of attempt ' + (index + 1)));
      details.appendChild(element('pre', '', attempt.output));
      panel.appendChild(details);
    });
  }

  function section(panel, title, text, name) {
    panel.appendChild(element('h3', '', title));
    var pre = element('pre', name === 'error' ? 'error' : '', text === undefined || text === '' ? '(none recorded)' : text);
    pre.dataset.field = name;
    panel.appendChild(pre);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', load);
  else load();
})();
`;
