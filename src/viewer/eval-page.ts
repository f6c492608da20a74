/**
 * The eval report's HTML shell, served at `/eval`. Like the timeline page it holds no data and no
 * inline script or style; `eval.js` fetches `/api/eval` and fills it with textContent.
 */
export const EVAL_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>braid eval</title>
<link rel="stylesheet" href="/viewer.css">
<link rel="stylesheet" href="/eval.css">
<script src="/eval.js" defer></script>
</head>
<body>
<header class="page-header">
  <div class="brand">braid</div>
  <h1 id="eval-title">Loading eval…</h1>
  <div id="eval-id" class="run-id"></div>
  <a id="timeline-link" class="timeline-link" href="/">The run's timeline</a>
</header>
<p id="load-error" class="load-error" hidden></p>
<section id="gate" class="gate" hidden></section>
<section id="facts" class="totals" aria-label="Eval"></section>
<section class="panel">
  <div class="panel-heading"><h2>Scorers</h2><span id="scorers-summary" class="muted"></span></div>
  <div class="table-scroll"><table id="scorers" class="eval-table"></table></div>
</section>
<section class="panel cases-panel">
  <div class="panel-heading">
    <h2>Cases</h2>
    <span id="cases-summary" class="muted"></span>
    <label class="filter"><input id="only-notable" type="checkbox"> Only cases that changed or lost points</label>
  </div>
  <div class="hint"><span>Click a case for its trials: the output, each score with its reason, and a link to its steps in the timeline.</span></div>
  <div id="cases" class="cases"></div>
</section>
</body>
</html>
`;
