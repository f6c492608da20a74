/**
 * The eval report page's script, served as `/eval.js`. Plain browser JavaScript kept in a string
 * so it ships inside the bundle; it must not use template literals.
 *
 * Every piece of model text (outputs, reasons, errors, labels) goes into the page through
 * textContent, never as markup.
 */
export const EVAL_SCRIPT = String.raw`'use strict';
(function () {
  var CHANGE_ORDER = { regressed: 0, improved: 1, added: 2, removed: 3, unchanged: 4 };

  function byIdOf(id) { return document.getElementById(id); }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function percent(value) {
    return value === null || value === undefined ? '—' : (value * 100).toFixed(1) + '%';
  }

  function signed(value) {
    if (value === null || value === undefined) return '—';
    var text = percent(Math.abs(value));
    return value > 0 ? '+' + text : value < 0 ? '-' + text : text;
  }

  function scoreClass(value) {
    if (value === null || value === undefined) return 'score';
    return 'score ' + (value >= 1 ? 'full' : value >= 0.5 ? 'mid' : 'low');
  }

  function timelineHref(path) { return '/?scope=' + encodeURIComponent(path); }

  function load() {
    fetch('/api/eval', { headers: { accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('the server answered ' + response.status);
        return response.json();
      })
      .then(show)
      .catch(function (error) {
        var message = byIdOf('load-error');
        message.textContent = 'Could not load the eval: ' + (error && error.message ? error.message : String(error));
        message.hidden = false;
        document.documentElement.dataset.ready = 'error';
      });
  }

  function show(report) {
    var facts = report.eval;
    document.title = 'eval ' + facts.kind + ' · braid';
    byIdOf('eval-title').textContent = 'eval ' + facts.kind + ' on ' + facts.dataset;
    byIdOf('eval-id').textContent = 'run ' + facts.id;
    renderGate(report.gate);
    renderFacts(report);
    renderScorers(report);
    renderCases(report);
    document.documentElement.dataset.ready = 'true';
  }

  function renderGate(gate) {
    if (!gate || gate.status === 'none') return;
    var node = byIdOf('gate');
    node.className = 'gate ' + gate.status;
    node.dataset.status = gate.status;
    node.textContent = gate.status === 'passed' ? 'Gate passed' : 'Gate failed: ' + (gate.reason || '');
    node.hidden = false;
  }

  function renderFacts(report) {
    var facts = report.eval;
    var cards = [
      ['Model', facts.model, ''],
      ['Judge', facts.judge || '—', facts.judge ? '' : 'no judge scorers'],
      ['Cases', String(report.cases.length), facts.trials + (facts.trials === 1 ? ' trial' : ' trials') + ' each'],
      ['Baseline', report.baseline ? report.baseline.id : 'none', report.baseline ? report.baseline.counts.regressed + ' regressed · ' + report.baseline.counts.improved + ' improved' : ''],
      ['When', new Date(facts.createdAt).toLocaleString(), '']
    ];
    var container = byIdOf('facts');
    cards.forEach(function (card) {
      var node = element('div', 'card');
      node.dataset.fact = card[0];
      node.appendChild(element('div', 'label', card[0]));
      var value = element('div', 'value', card[1]);
      value.title = card[1];
      node.appendChild(value);
      node.appendChild(element('div', 'note', card[2] || ' '));
      container.appendChild(node);
    });
  }

  function renderScorers(report) {
    var table = byIdOf('scorers');
    var trials = report.eval.trials;
    var hasThresholds = Object.keys(report.thresholds || {}).length > 0;
    var columns = ['Scorer', 'Mean'];
    if (trials > 1) columns.push('Spread', 'Min', 'Max');
    columns.push('Scored', 'Missing');
    if (hasThresholds) columns.push('Threshold');
    if (report.baseline) columns.push('Baseline', 'Change');
    var head = element('tr');
    columns.forEach(function (name, index) { head.appendChild(element('th', index === 0 ? '' : 'number', name)); });
    table.appendChild(element('thead')).appendChild(head);
    var body = table.appendChild(element('tbody'));
    Object.keys(report.scorers).forEach(function (name) {
      var stats = report.scorers[name];
      var row = element('tr');
      row.dataset.scorer = name;
      row.appendChild(element('td', '', name));
      row.appendChild(element('td', 'number ' + scoreClass(stats.mean), percent(stats.mean)));
      if (trials > 1) {
        row.appendChild(element('td', 'number', stats.stddev === null ? '—' : '±' + percent(stats.stddev)));
        row.appendChild(element('td', 'number', percent(stats.min)));
        row.appendChild(element('td', 'number', percent(stats.max)));
      }
      row.appendChild(element('td', 'number', String(stats.count)));
      row.appendChild(element('td', 'number' + (stats.errors > 0 ? ' fail' : ''), String(stats.errors)));
      if (hasThresholds) {
        var threshold = report.thresholds[name];
        var failed = report.gate.failures.some(function (failure) { return failure.scorer === name; });
        row.appendChild(element('td', 'number ' + (threshold === undefined ? '' : failed ? 'fail' : 'pass'), threshold === undefined ? '' : '≥ ' + percent(threshold) + (failed ? ' · failed' : ' · passed')));
      }
      if (report.baseline) {
        var delta = report.baseline.scorers[name] || { baseline: null, delta: null };
        row.appendChild(element('td', 'number', percent(delta.baseline)));
        row.appendChild(element('td', 'number ' + (delta.delta > 0 ? 'delta-up' : delta.delta < 0 ? 'delta-down' : ''), signed(delta.delta)));
      }
      body.appendChild(row);
    });
    var missing = Object.keys(report.scorers).filter(function (name) { return report.scorers[name].errors > 0; });
    byIdOf('scorers-summary').textContent = Object.keys(report.scorers).length + ' scorers' + (missing.length > 0 ? ' · scores missing for ' + missing.join(', ') : '');
  }

  function renderCases(report) {
    var names = Object.keys(report.scorers);
    var changes = new Map();
    var removed = [];
    if (report.baseline) {
      report.baseline.cases.forEach(function (item) {
        changes.set(item.id, item);
        if (item.change === 'removed') removed.push(item);
      });
    }
    var cases = report.cases.slice();
    if (report.baseline) {
      // what moved first: a reviewer looks at the regressions before anything else
      cases.sort(function (a, b) {
        var left = changes.get(a.id), right = changes.get(b.id);
        return CHANGE_ORDER[left ? left.change : 'unchanged'] - CHANGE_ORDER[right ? right.change : 'unchanged'];
      });
    }
    var container = byIdOf('cases');
    container.style.setProperty('--score-columns', 'repeat(' + names.length + ', minmax(84px, 110px)) 90px');
    var header = element('div', 'case-header');
    header.appendChild(element('span', '', report.baseline ? 'Change' : ''));
    header.appendChild(element('span', '', 'Case'));
    names.forEach(function (name) { header.appendChild(element('span', 'score', name)).title = name; });
    header.appendChild(element('span', '', ''));
    container.appendChild(header);
    cases.forEach(function (item) { container.appendChild(renderCase(item, names, changes.get(item.id), report.eval.trials)); });
    removed.forEach(function (item) { container.appendChild(renderRemoved(item, names)); });

    var below = report.cases.filter(function (item) { return isBelowFull(item, names); }).length;
    var summary = report.cases.length + ' cases · ' + below + ' below full marks';
    if (report.baseline) {
      var counts = report.baseline.counts;
      summary += ' · ' + counts.regressed + ' regressed, ' + counts.improved + ' improved, ' + counts.unchanged + ' unchanged';
    }
    byIdOf('cases-summary').textContent = summary;
    byIdOf('only-notable').addEventListener('change', function (event) {
      var only = event.target.checked;
      container.querySelectorAll('.case').forEach(function (node) {
        node.hidden = only && node.dataset.notable !== 'true';
      });
    });
  }

  function isBelowFull(item, names) {
    return names.some(function (name) {
      var stats = item.scores[name];
      return stats && (stats.errors > 0 || (stats.mean !== null && stats.mean < 1));
    });
  }

  function renderCase(item, names, diff, trials) {
    var change = diff ? diff.change : '';
    var node = element('details', 'case' + (change ? ' change-' + change : ''));
    node.dataset.caseId = item.id;
    if (change) node.dataset.change = change;
    node.dataset.notable = String(isBelowFull(item, names) || (change !== '' && change !== 'unchanged'));
    var summary = element('summary');
    var changeCell = summary.appendChild(element('span'));
    if (change) changeCell.appendChild(element('span', 'badge ' + change, change));
    var label = summary.appendChild(element('span', 'case-label', item.label));
    label.title = item.label;
    names.forEach(function (name) {
      var stats = item.scores[name] || { mean: null, errors: 0 };
      var cell = summary.appendChild(element('span', scoreClass(stats.mean), stats.errors > 0 && stats.mean === null ? 'missing' : percent(stats.mean)));
      cell.dataset.scorer = name;
      var delta = diff && diff.scores[name];
      if (delta && delta.delta !== null && delta.delta !== 0) cell.title = 'baseline ' + percent(delta.baseline) + ' → ' + percent(delta.current);
    });
    var link = summary.appendChild(element('span')).appendChild(element('a', 'timeline', 'timeline'));
    link.href = timelineHref(item.path);
    link.addEventListener('click', function (event) { event.stopPropagation(); });
    node.appendChild(summary);

    var body = node.appendChild(element('div', 'case-body'));
    body.appendChild(element('h3', '', 'Input'));
    body.appendChild(element('pre', '', format(item.input)));
    if (item.expected !== undefined) {
      body.appendChild(element('h3', '', 'Expected'));
      body.appendChild(element('pre', '', format(item.expected)));
    }
    if (diff) {
      var moved = names.filter(function (name) { var delta = diff.scores[name]; return delta && delta.delta !== null && delta.delta !== 0; });
      if (moved.length > 0) {
        body.appendChild(element('h3', '', 'Against the baseline'));
        body.appendChild(element('p', 'baseline-deltas', moved.map(function (name) {
          var delta = diff.scores[name];
          return name + ' ' + percent(delta.baseline) + ' → ' + percent(delta.current);
        }).join(' · ')));
      }
    }
    item.trials.forEach(function (trial, index) { body.appendChild(renderTrial(trial, index, trials, names)); });
    return node;
  }

  function renderRemoved(item, names) {
    var node = element('details', 'case change-removed');
    node.dataset.caseId = item.id;
    node.dataset.change = 'removed';
    node.dataset.notable = 'true';
    var summary = node.appendChild(element('summary'));
    summary.appendChild(element('span')).appendChild(element('span', 'badge removed', 'removed'));
    summary.appendChild(element('span', 'case-label', item.label));
    names.forEach(function (name) {
      var delta = item.scores[name];
      summary.appendChild(element('span', 'score', delta ? percent(delta.baseline) : '—'));
    });
    summary.appendChild(element('span'));
    node.appendChild(element('div', 'case-body', 'Only in the baseline.'));
    return node;
  }

  function renderTrial(trial, index, trials, names) {
    var node = element('div', 'trial');
    node.dataset.trial = String(index + 1);
    var heading = node.appendChild(element('div', 'trial-heading'));
    heading.appendChild(element('strong', '', trials > 1 ? 'Trial ' + (index + 1) : 'Output'));
    var link = heading.appendChild(element('a', 'timeline', 'its steps in the timeline'));
    link.href = timelineHref(trial.path);
    if (trial.error !== undefined) node.appendChild(element('pre', 'error', trial.error));
    if (trial.output !== undefined) node.appendChild(element('pre', 'output', format(trial.output)));
    var table = node.appendChild(element('table', 'scores-table'));
    names.forEach(function (name) {
      var score = trial.scores[name];
      if (!score) return;
      var row = table.appendChild(element('tr'));
      row.dataset.scorer = name;
      row.appendChild(element('th', '', name));
      row.appendChild(element('td', scoreClass(score.score), score.error !== undefined ? 'missing' : score.score === null ? 'n/a' : String(score.score)));
      row.appendChild(element('td', 'reason', score.error !== undefined ? 'the scorer failed: ' + score.error : score.reason || ''));
    });
    return node;
  }

  function format(value) {
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  }

  load();
})();
`;
