/**
 * The run page's status bar and actions, served as `/run-panel.js`: plain browser JavaScript in a
 * string (no template literals). It reads the `braid:run` events `viewer.js` hands on from the
 * run's event stream: the run's status, what it waits for and the actions its state allows.
 *
 * A wait's answer is asked for with a form built from the wait's JSON Schema (Approve / Reject for
 * an approval, a field per property, or plain JSON); every action is a POST carrying the page's
 * session token. Prompts, names and error messages are written with textContent only.
 */
export const RUN_PANEL_SCRIPT = String.raw`'use strict';
(function () {
  var tokenMeta = document.querySelector('meta[name="braid-token"]');
  if (!tokenMeta) return; // a trace file: nothing to act on
  var TOKEN = tokenMeta.getAttribute('content');
  var DECISION = /^(approved?|accept(ed)?|confirm(ed)?|allow(ed)?)$/i;
  var ACTION_LABELS = { cancel: 'Cancel run', resume: 'Resume', retry: 'Retry failed items' };
  var panel = { run: null, actionsText: '', waitsText: '', busy: false };

  function byIdOf(id) { return document.getElementById(id); }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function formatTime(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
  }
  function formatCost(value) {
    var amount = Number(value || 0);
    return amount === 0 ? '$0' : amount < 0.0001 ? '< $0.0001' : '$' + amount.toFixed(4);
  }

  function say(text, kind) {
    var message = byIdOf('run-message');
    message.textContent = text;
    message.className = 'run-message' + (kind ? ' ' + kind : '');
    message.hidden = !text;
  }

  /** POSTs an action; the session token proves the request comes from this page. */
  function post(action, body) {
    var runId = panel.run.id;
    return fetch('/api/runs/' + encodeURIComponent(runId) + '/' + action, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-braid-token': TOKEN },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (result) {
        if (!response.ok) throw new Error(result.error || ('the console answered ' + response.status));
        return result;
      });
    });
  }

  function act(action, body, done) {
    if (panel.busy) return;
    panel.busy = true;
    document.querySelectorAll('#run-panel button').forEach(function (button) { button.disabled = true; });
    say('Sending…', '');
    post(action, body).then(function (result) {
      say(done(result), 'ok');
    }).catch(function (error) {
      say(error.message, 'error');
    }).then(function () {
      panel.busy = false;
      document.querySelectorAll('#run-panel button').forEach(function (button) { button.disabled = false; });
    });
  }

  function renderActions(actions) {
    var text = JSON.stringify(actions);
    if (text === panel.actionsText) return;
    panel.actionsText = text;
    var bar = byIdOf('run-actions');
    bar.replaceChildren();
    actions.forEach(function (action) {
      var button = element('button', 'action ' + action, ACTION_LABELS[action] || action);
      button.type = 'button';
      button.dataset.action = action;
      button.addEventListener('click', function () {
        act(action, {}, function (result) {
          if (action === 'cancel') return 'Sent Ctrl-C (SIGINT) to process ' + result.pid + '; the run stops its calls and records that it was cancelled.';
          return 'Started braid ' + action + ' (process ' + result.pid + '); its output goes to ' + result.log;
        });
      });
      bar.appendChild(button);
    });
  }

  // ---- waits: a form from the JSON Schema of the answer -------------------------------------

  function typeOf(schema) {
    if (!schema || typeof schema !== 'object') return '';
    if (Array.isArray(schema.enum)) return 'enum';
    return typeof schema.type === 'string' ? schema.type : '';
  }

  /** One input for a schema, or undefined when only JSON can say it. */
  function fieldFor(name, schema, isRequired) {
    var type = typeOf(schema);
    var input;
    if (type === 'boolean') {
      input = element('input');
      input.type = 'checkbox';
    } else if (type === 'enum') {
      input = element('select');
      if (!isRequired) input.appendChild(element('option', '', ''));
      schema.enum.forEach(function (choice, index) {
        var option = element('option', '', String(choice));
        option.value = String(index);
        input.appendChild(option);
      });
    } else if (type === 'string') {
      var isShort = typeof schema.maxLength === 'number' && schema.maxLength <= 120;
      input = element(isShort ? 'input' : 'textarea');
      if (isShort) input.type = 'text';
      else input.rows = 2;
      if (typeof schema.maxLength === 'number') input.maxLength = schema.maxLength;
    } else if (type === 'number' || type === 'integer') {
      input = element('input');
      input.type = 'number';
      input.step = type === 'integer' ? '1' : 'any';
    } else {
      return undefined;
    }
    input.name = name;
    input.dataset.type = type;
    return input;
  }

  function readField(input, schema) {
    var type = input.dataset.type;
    if (type === 'boolean') return input.checked;
    if (type === 'enum') return input.value === '' ? undefined : schema.enum[Number(input.value)];
    if (input.value === '') return undefined;
    if (type === 'number' || type === 'integer') return Number(input.value);
    if (type === 'json') return JSON.parse(input.value);
    return input.value;
  }

  function buildWait(wait) {
    var box = element('form', 'wait');
    box.dataset.waitKey = wait.key;
    box.dataset.waitName = wait.name;
    box.addEventListener('submit', function (event) { event.preventDefault(); });
    var title = element('div', 'wait-title');
    title.appendChild(element('span', 'wait-label', wait.kind === 'sleep' ? 'Sleeps' : 'Waits for'));
    title.appendChild(element('strong', 'wait-name', wait.name));
    title.appendChild(element('span', 'wait-key', wait.key));
    box.appendChild(title);
    if (wait.prompt) box.appendChild(element('p', 'wait-prompt', wait.prompt));
    var facts = 'since ' + formatTime(wait.since) + (wait.deadline ? (wait.kind === 'sleep' ? ' · due ' : ' · times out ') + formatTime(wait.deadline) : '');
    box.appendChild(element('div', 'wait-facts muted', facts));
    if (wait.refusedAnswer) box.appendChild(element('p', 'wait-refused', wait.refusedAnswer));
    if (wait.kind === 'sleep') return box;

    var schema = wait.schema || {};
    var fields = [];
    var decision = null;
    var buttons = element('div', 'wait-buttons');
    var send = function (value) {
      act('signal', { name: wait.name, key: wait.key, value: value }, function (result) {
        if (result.delivered === 'kept') return 'Kept: the run takes this answer when it reaches ' + wait.name + '.';
        if (result.resumed === 'after-session') return 'Answered; the run resumes once its current session ends.';
        if (result.resumed) return 'Answered; braid resume started (process ' + result.resumed.pid + '), the run goes on. Its output goes to ' + result.resumed.log;
        return 'Answered; the program that started this run goes on from here when it resumes it.';
      });
    };
    if (typeOf(schema) === 'object' && schema.properties && typeof schema.properties === 'object') {
      var required = Array.isArray(schema.required) ? schema.required : [];
      var grid = element('div', 'wait-fields');
      Object.keys(schema.properties).forEach(function (name) {
        var property = schema.properties[name];
        var isRequired = required.indexOf(name) >= 0;
        if (decision === null && isRequired && typeOf(property) === 'boolean' && DECISION.test(name)) {
          decision = name; // answered by the Approve / Reject buttons
          return;
        }
        var input = fieldFor(name, property, isRequired);
        if (!input) {
          input = element('textarea');
          input.rows = 2;
          input.name = name;
          input.dataset.type = 'json';
          input.placeholder = 'JSON';
        }
        var label = element('label', 'wait-field');
        label.appendChild(element('span', 'field-name', (property && property.title) || name + (isRequired ? '' : ' (optional)')));
        label.appendChild(input);
        if (property && property.description) label.appendChild(element('span', 'field-hint muted', property.description));
        grid.appendChild(label);
        fields.push({ name: name, input: input, schema: property });
      });
      if (fields.length > 0) box.appendChild(grid);
      var readObject = function () {
        var value = {};
        fields.forEach(function (field) {
          var read = readField(field.input, field.schema);
          if (read !== undefined) value[field.name] = read;
        });
        return value;
      };
      if (decision !== null) {
        [['approve', 'Approve', true], ['reject', 'Reject', false]].forEach(function (choice) {
          var button = element('button', 'action ' + choice[0], choice[1]);
          button.type = 'button';
          button.dataset.action = choice[0];
          button.addEventListener('click', function () {
            var value;
            try { value = readObject(); } catch (error) { say('A field is not valid JSON: ' + error.message, 'error'); return; }
            value[decision] = choice[2];
            send(value);
          });
          buttons.appendChild(button);
        });
      } else {
        buttons.appendChild(sendButton(function () { return readObject(); }));
      }
    } else {
      var single = fieldFor('value', schema, true);
      if (!single) {
        single = element('textarea');
        single.rows = 3;
        single.name = 'value';
        single.dataset.type = 'json';
        single.placeholder = 'JSON';
      }
      var only = element('label', 'wait-field');
      only.appendChild(element('span', 'field-name', 'Answer'));
      only.appendChild(single);
      box.appendChild(only);
      buttons.appendChild(sendButton(function () { return readField(single, schema); }));
    }
    box.appendChild(buttons);

    // anything the form cannot say, as JSON; the console checks it against the schema either way
    var raw = element('details', 'wait-json');
    raw.appendChild(element('summary', '', 'Answer as JSON'));
    var text = element('textarea');
    text.rows = 4;
    text.name = '__json';
    raw.appendChild(text);
    var rawButton = element('button', 'action send-json', 'Send JSON');
    rawButton.type = 'button';
    rawButton.dataset.action = 'send-json';
    rawButton.addEventListener('click', function () {
      var value;
      try { value = JSON.parse(text.value); } catch (error) { say('Not JSON: ' + error.message, 'error'); return; }
      send(value);
    });
    raw.appendChild(rawButton);
    var schemaText = element('pre', 'wait-schema', JSON.stringify(schema, null, 2));
    raw.appendChild(schemaText);
    box.appendChild(raw);
    return box;

    function sendButton(read) {
      var button = element('button', 'action send', 'Send');
      button.type = 'button';
      button.dataset.action = 'send';
      button.addEventListener('click', function () {
        var value;
        try { value = read(); } catch (error) { say('A field is not valid JSON: ' + error.message, 'error'); return; }
        send(value);
      });
      return button;
    }
  }

  function renderWaits(waits) {
    var text = JSON.stringify(waits);
    if (text === panel.waitsText) return; // an unchanged form keeps what the person typed
    panel.waitsText = text;
    var box = byIdOf('run-waits');
    box.replaceChildren();
    waits.forEach(function (wait) { box.appendChild(buildWait(wait)); });
  }

  document.addEventListener('braid:run', function (event) {
    var message = event.detail;
    var run = message.run;
    byIdOf('run-panel').hidden = false;
    if (!run) {
      say('This run is not in the store.', 'error');
      return;
    }
    panel.run = run;
    var status = byIdOf('run-status');
    status.textContent = run.status;
    status.className = 'badge ' + run.status;
    status.dataset.status = run.status;
    byIdOf('run-live').hidden = run.status !== 'running';
    var steps = run.stepsDone + '/' + (run.stepsTotal === undefined || run.stepsTotal === null ? '?' : run.stepsTotal);
    byIdOf('run-facts').textContent = [run.workflow, 'started ' + formatTime(run.startedAt), steps + ' steps',
      (run.inputTokens + run.outputTokens).toLocaleString('en-US') + ' tokens', formatCost(run.costUsd), run.model].join(' · ');
    renderActions(message.actions || []);
    renderWaits(run.status === 'waiting' || run.status === 'running' ? run.waits || [] : []);
    var child = message.child;
    if (child && child.exitCode !== undefined && child.exitCode !== 0 && !panel.busy) {
      say('braid ' + child.command + ' (process ' + child.pid + ') ended with exit code ' + child.exitCode + '; its output is in ' + child.log, 'error');
    }
    document.documentElement.dataset.runStatus = run.status;
  });
})();
`;
