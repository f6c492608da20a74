export interface PageOptions {
  /** The console's per-session token for actions (hex); none on a read-only trace viewer. */
  token?: string;
}

/** The head both pages share; a token (hex, from the server) is the only thing filled in. */
function head(title: string, scripts: readonly string[], { token }: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${token === undefined ? '' : `<meta name="braid-token" content="${token.replace(/[^0-9a-f]/g, '')}">\n`}<title>${title}</title>
<link rel="stylesheet" href="/viewer.css">
${scripts.map((script) => `<script src="${script}" defer></script>`).join('\n')}
</head>`;
}

/**
 * A run's page: its live status and actions (in the console), the timeline, the critical path and
 * the steps. It holds no run data and no inline script or style (the policy allows only same-origin
 * files); `viewer.js` and `run-panel.js` fetch the run and fill the page with textContent.
 */
export function runPage(options: PageOptions = {}): string {
  return `${head('braid run', ['/vendor/echarts.min.js', '/viewer.js', '/run-panel.js'], options)}
<body>
<header class="page-header">
  ${options.token === undefined ? '<div class="brand">braid</div>' : '<a class="brand" href="/" title="All runs">braid</a>'}
  <h1 id="run-title">Loading run…</h1>
  <div id="run-id" class="run-id"></div>
</header>
<p id="load-error" class="load-error" hidden></p>
<section id="run-panel" class="panel run-panel" aria-label="Run status and actions" hidden>
  <div class="run-bar">
    <span id="run-status" class="badge"></span>
    <span id="run-live" class="live" hidden>● live</span>
    <span id="run-facts" class="muted"></span>
    <span id="run-actions" class="actions"></span>
  </div>
  <p id="run-message" class="run-message" role="status" hidden></p>
  <div id="run-waits" class="waits"></div>
</section>
<section id="totals" class="totals" aria-label="Run totals"></section>
<div class="layout">
  <main class="main-column">
    <section class="panel timeline-panel">
      <div class="panel-heading">
        <h2>Timeline</h2>
        <ul id="legend" class="legend" aria-label="Legend"></ul>
      </div>
      <div class="hint">
        <span>Click a bar for its step. Wheel scrolls the rows; Ctrl + wheel or the slider zooms time; drag to pan.</span>
        <span class="row-controls"><span id="row-range"></span><label class="fit-time" hidden><input id="fit-time" type="checkbox"> Fit time to the rows in view</label></span>
      </div>
      <div class="chart-wrap">
        <div id="chart" class="chart"></div>
        <div id="tooltip" class="tooltip" hidden></div>
      </div>
    </section>
    <section class="panel">
      <div class="panel-heading"><h2>Critical path</h2><span id="critical-summary" class="muted"></span></div>
      <ol id="critical-path" class="critical-path"></ol>
    </section>
    <section class="panel">
      <div class="panel-heading"><h2>Steps</h2><span id="steps-summary" class="muted"></span></div>
      <div class="table-wrap" role="table" aria-label="Steps">
        <div class="step-row step-header" role="row">
          <span role="columnheader" class="number">#</span><span role="columnheader">Step</span><span role="columnheader">Model</span><span role="columnheader">Status</span><span role="columnheader" class="number">Attempts</span><span role="columnheader" class="number">Waited</span><span role="columnheader" class="number">Duration</span><span role="columnheader" class="number">Tokens in / out</span><span role="columnheader" class="number">Cost</span>
        </div>
        <div id="step-rows" role="rowgroup"></div>
      </div>
    </section>
  </main>
  <aside id="detail" class="panel detail" aria-live="polite">
    <p class="muted detail-empty">Click a bar or a step to see its prompt, output and attempts.</p>
  </aside>
</div>
</body>
</html>
`;
}

/** The console's list of runs; `console.js` fills it from the live run list. */
export function consolePage(options: PageOptions): string {
  return `${head('braid runs', ['/console.js'], options)}
<body>
<header class="page-header">
  <a class="brand" href="/" title="All runs">braid</a>
  <h1>Runs</h1>
  <span id="runs-summary" class="muted"></span>
  <span id="connection" class="live" hidden>● live</span>
</header>
<p id="load-error" class="load-error" hidden></p>
<section class="panel">
  <div class="panel-heading">
    <div id="status-filter" class="filters" role="group" aria-label="Filter by status"></div>
  </div>
  <div class="table-wrap runs-wrap">
    <table class="runs" aria-label="Runs">
      <thead><tr><th>Run</th><th>Workflow</th><th>Status</th><th>Waits for</th><th>Started</th><th class="number">Steps</th><th class="number">Tokens</th><th class="number">Cost</th></tr></thead>
      <tbody id="run-rows"></tbody>
    </table>
  </div>
  <p id="runs-empty" class="muted runs-empty" hidden></p>
</section>
</body>
</html>
`;
}
