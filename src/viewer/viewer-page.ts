/**
 * The viewer's HTML shell. It holds no run data and no inline script or style (the policy allows
 * only same-origin files); `viewer.js` fetches `/api/run` and fills it with textContent.
 */
export const VIEWER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>braid run</title>
<link rel="stylesheet" href="/viewer.css">
<script src="/vendor/echarts.min.js" defer></script>
<script src="/viewer.js" defer></script>
</head>
<body>
<header class="page-header">
  <div class="brand">braid</div>
  <h1 id="run-title">Loading run…</h1>
  <div id="run-id" class="run-id"></div>
</header>
<p id="load-error" class="load-error" hidden></p>
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
