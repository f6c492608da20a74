/** The viewer's stylesheet; the swatch colours match the ones `viewer.js` draws with. */
export const VIEWER_STYLE = `
:root {
  --ink: #0f172a;
  --muted: #64748b;
  --line: #e2e8f0;
  --panel: #ffffff;
  --page: #f5f7fb;
  --step: #e2e8f0;
  --ok: #3b82f6;
  --failed: #ef4444;
  --rate-limited: #f97316;
  --wait: #f59e0b;
  --backoff: #e11d48;
  --replayed: #14b8a6;
  --critical: #7c3aed;
  --critical-soft: #f3efff;
  --selected: #fef3c7;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink);
  background: var(--page);
}
* { box-sizing: border-box; }
body { margin: 0; padding: 16px 20px 32px; }
h1, h2 { margin: 0; font-weight: 600; }
h1 { font-size: 20px; }
h2 { font-size: 15px; }
.muted { color: var(--muted); }
.page-header { display: flex; align-items: baseline; gap: 12px; margin-bottom: 12px; flex-wrap: wrap; }
.brand { font-weight: 700; color: #fff; background: var(--critical); border-radius: 6px; padding: 1px 8px; font-size: 13px; letter-spacing: .04em; }
.run-id { color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.load-error { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; padding: 10px 12px; border-radius: 8px; }

.totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(132px, 1fr)); gap: 8px; margin-bottom: 12px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 8px 10px; min-width: 0; }
.card .label { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .05em; }
.card .value { font-size: 17px; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card .note { color: var(--muted); font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card.critical { border-color: #ddd6fe; background: var(--critical-soft); }
.card.critical .value { color: var(--critical); }
.card.alert .value { color: var(--rate-limited); }

.layout { display: grid; grid-template-columns: minmax(0, 1fr) 420px; gap: 12px; align-items: start; }
@media (max-width: 1100px) { .layout { grid-template-columns: minmax(0, 1fr); } }
.main-column { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; min-width: 0; }
.panel-heading { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap; margin-bottom: 6px; }
.hint { margin: 0 0 6px; color: var(--muted); font-size: 12px; display: flex; justify-content: space-between; gap: 12px; flex-wrap: wrap; }
.row-controls { display: inline-flex; gap: 14px; align-items: center; }
#row-range { font-variant-numeric: tabular-nums; }
.fit-time { display: inline-flex; align-items: center; gap: 4px; color: #334155; cursor: pointer; }
.fit-time[hidden] { display: none; }
.fit-time input { accent-color: var(--critical); margin: 0; }

.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0; padding: 0; font-size: 12px; color: #334155; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 22px; height: 10px; border-radius: 2px; }
.swatch.step { background: var(--step); border: 1px solid #cbd5e1; height: 14px; }
.swatch.ok { background: var(--ok); }
.swatch.failed { background: var(--failed); }
.swatch.rate-limited { background: var(--rate-limited); }
.swatch.replayed { background: var(--replayed); }
.swatch.wait { background: repeating-linear-gradient(90deg, var(--wait) 0 2px, #fffbeb 2px 4px); border: 1px solid #fcd34d; }
.swatch.backoff { background: repeating-linear-gradient(135deg, var(--backoff) 0 2px, #ffe4e6 2px 5px); border: 1px solid #fda4af; }
.swatch.pause { background: #fde68a; border: 1.5px dashed #d97706; height: 14px; }
.swatch.critical { background: #fff; border: 2px solid var(--critical); height: 14px; }

.chart-wrap { position: relative; }
.chart { width: 100%; height: 360px; }
.tooltip { position: absolute; z-index: 5; pointer-events: none; max-width: 340px; background: rgba(15, 23, 42, .94); color: #f8fafc; border-radius: 8px; padding: 8px 10px; font-size: 12px; box-shadow: 0 6px 20px rgba(15, 23, 42, .25); }
.tooltip div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tooltip .tooltip-title { font-weight: 600; margin-bottom: 2px; }

.critical-path { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 6px; counter-reset: hop; max-height: 124px; overflow: auto; }
.critical-path li { counter-increment: hop; display: flex; align-items: center; gap: 6px; border: 1px solid #ddd6fe; background: var(--critical-soft); color: #4c1d95; border-radius: 999px; padding: 2px 10px 2px 4px; cursor: pointer; font-size: 12px; max-width: 100%; }
.critical-path li::before { content: counter(hop); background: var(--critical); color: #fff; border-radius: 999px; min-width: 18px; height: 18px; padding: 0 5px; display: inline-flex; align-items: center; justify-content: center; font-size: 11px; }
.critical-path li:hover, .critical-path li:focus { border-color: var(--critical); outline: none; }
.critical-path .hop-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.critical-path .hop-time { color: #6d28d9; font-variant-numeric: tabular-nums; }

.table-wrap { position: relative; max-height: 420px; overflow: auto; border: 1px solid var(--line); border-radius: 8px; }
/* rows are grid lines, not table rows: content-visibility lets the browser skip laying out the
   thousands that are scrolled out of view, which a <table> cannot */
.step-row { display: grid; grid-template-columns: 48px minmax(160px, 1fr) 150px 84px 88px 82px 82px 132px 104px; align-items: center; min-width: 900px; font-size: 12.5px; border-bottom: 1px solid #f1f5f9; content-visibility: auto; contain-intrinsic-size: auto 28px; cursor: pointer; }
.step-row > span { padding: 4px 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.step-row .number { text-align: right; font-variant-numeric: tabular-nums; }
.step-row.step-header { position: sticky; top: 0; z-index: 1; background: #f8fafc; font-weight: 600; color: #475569; border-bottom: 1px solid var(--line); content-visibility: visible; cursor: default; }
.step-row.step-header > span { padding: 6px 8px; }
#step-rows .step-row:hover { background: #f8fafc; }
#step-rows .step-row.is-critical > span:nth-child(2) { color: var(--critical); font-weight: 600; }
#step-rows .step-row.is-selected { background: var(--selected); }

.badge { display: inline-block; border-radius: 999px; padding: 0 8px; font-size: 11.5px; font-weight: 600; line-height: 18px; border: 1px solid transparent; }
.badge.ok { background: #eff6ff; color: #1d4ed8; border-color: #bfdbfe; }
.badge.error { background: #fef2f2; color: #b91c1c; border-color: #fecaca; }
.badge.cancelled { background: #f8fafc; color: #475569; border-color: var(--line); }
.badge.rate-limited { background: #fff7ed; color: #c2410c; border-color: #fed7aa; }
.badge.replayed { background: #f0fdfa; color: #0f766e; border-color: #99f6e4; }
.badge.critical { background: var(--critical-soft); color: var(--critical); border-color: #ddd6fe; }

.detail { position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto; }
.detail h2 { font-size: 16px; word-break: break-word; }
.detail .path { color: var(--muted); font-size: 12px; word-break: break-word; margin: 2px 0 8px; }
.detail .badges { display: flex; gap: 6px; flex-wrap: wrap; margin-bottom: 10px; }
.detail dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 0 0 10px; font-size: 12.5px; }
.detail dt { color: var(--muted); }
.detail dd { margin: 0; font-variant-numeric: tabular-nums; word-break: break-word; }
.detail h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 14px 0 4px; }
.detail pre { margin: 0; background: #f8fafc; border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; white-space: pre-wrap; word-break: break-word; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; max-height: 320px; overflow: auto; }
.detail pre.error { background: #fef2f2; border-color: #fecaca; color: #991b1b; }
.detail table { width: 100%; border-collapse: collapse; font-size: 12px; }
.detail th, .detail td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #f1f5f9; vertical-align: top; }
.detail th { color: #475569; font-weight: 600; }
.detail td.number, .detail th.number { text-align: right; font-variant-numeric: tabular-nums; }
.detail tr.is-selected { background: var(--selected); }
.detail td.attempt-error { color: #b91c1c; word-break: break-word; white-space: normal; }
.detail details { margin-top: 6px; }
.detail summary { cursor: pointer; color: #475569; font-size: 12px; }
.detail-empty { margin: 4px 0; }
/* the console: the runs list, a run's status bar, actions and waits */
a.brand { text-decoration: none; }
.live { color: #15803d; font-size: 12px; font-weight: 600; }
.filters { display: flex; flex-wrap: wrap; gap: 6px; }
.filter { display: inline-flex; align-items: center; gap: 6px; border: 1px solid var(--line); background: #fff; border-radius: 999px; padding: 2px 10px; font: inherit; font-size: 12.5px; color: #334155; cursor: pointer; }
.filter.is-active { border-color: var(--critical); background: var(--critical-soft); color: #4c1d95; }
.filter .count { color: var(--muted); font-variant-numeric: tabular-nums; }
.dot { width: 8px; height: 8px; border-radius: 999px; background: #cbd5e1; }
.dot.running { background: #3b82f6; } .dot.waiting { background: #d97706; } .dot.interrupted { background: #a855f7; }
.dot.failed { background: #ef4444; } .dot.cancelled { background: #94a3b8; } .dot.done { background: #16a34a; }
.runs-wrap { max-height: none; }
table.runs { width: 100%; border-collapse: collapse; font-size: 13px; }
table.runs th, table.runs td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #f1f5f9; white-space: nowrap; }
table.runs th { position: sticky; top: 0; background: #f8fafc; color: #475569; font-weight: 600; }
table.runs td.number, table.runs th.number { text-align: right; font-variant-numeric: tabular-nums; }
table.runs td.number-left { font-variant-numeric: tabular-nums; color: #475569; }
table.runs td.run-id-cell a { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: #4c1d95; }
table.runs td.waits-cell { color: #b45309; font-weight: 600; }
table.runs tr.waiting { background: #fffbeb; }
.runs-empty { margin: 10px 2px 2px; }
.badge.running { background: #eff6ff; color: #1d4ed8; border-color: #bfdbfe; }
.badge.waiting { background: #fffbeb; color: #b45309; border-color: #fde68a; }
.badge.interrupted { background: #faf5ff; color: #7e22ce; border-color: #e9d5ff; }
.badge.failed { background: #fef2f2; color: #b91c1c; border-color: #fecaca; }
.badge.done { background: #f0fdf4; color: #15803d; border-color: #bbf7d0; }
.run-panel { margin-bottom: 12px; }
.run-panel[hidden] { display: none; }
.run-bar { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.run-bar .actions { margin-left: auto; display: inline-flex; gap: 6px; }
.action { font: inherit; font-size: 13px; font-weight: 600; border-radius: 8px; padding: 5px 12px; border: 1px solid #cbd5e1; background: #fff; color: var(--ink); cursor: pointer; }
.action:disabled { opacity: .5; cursor: default; }
.action.approve, .action.send, .action.resume, .action.retry { background: #16a34a; border-color: #15803d; color: #fff; }
.action.reject, .action.cancel { background: #fff; border-color: #fca5a5; color: #b91c1c; }
.run-message { margin: 8px 0 0; font-size: 13px; padding: 6px 10px; border-radius: 8px; background: #f8fafc; border: 1px solid var(--line); word-break: break-word; }
.run-message.ok { background: #f0fdf4; border-color: #bbf7d0; color: #166534; }
.run-message.error { background: #fef2f2; border-color: #fecaca; color: #991b1b; white-space: pre-wrap; }
.waits { display: flex; flex-direction: column; gap: 10px; }
.waits:not(:empty) { margin-top: 10px; }
.wait { border: 1px solid #fde68a; background: #fffbeb; border-radius: 10px; padding: 10px 12px; }
.wait-title { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
.wait-label { color: #b45309; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; font-weight: 600; }
.wait-name { font-size: 15px; }
.wait-key { color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px; }
.wait-prompt { margin: 6px 0 2px; font-size: 14px; white-space: pre-wrap; word-break: break-word; }
.wait-facts { font-size: 12px; margin-bottom: 6px; }
.wait-refused { margin: 4px 0; color: #991b1b; font-size: 12.5px; }
.wait-fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 8px 12px; margin: 6px 0 8px; }
.wait-field { display: flex; flex-direction: column; gap: 3px; font-size: 12.5px; color: #334155; }
.wait-field input[type=text], .wait-field input[type=number], .wait-field textarea, .wait-field select, .wait-json textarea { font: 13px/1.4 system-ui, sans-serif; border: 1px solid #cbd5e1; border-radius: 6px; padding: 5px 7px; background: #fff; }
.wait-field input[type=checkbox] { align-self: flex-start; width: 16px; height: 16px; }
.field-hint { font-size: 11.5px; }
.wait-buttons { display: flex; gap: 8px; }
.wait-json { margin-top: 8px; font-size: 12.5px; }
.wait-json summary { cursor: pointer; color: #475569; }
.wait-json textarea { display: block; width: 100%; margin: 6px 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.wait-schema { margin: 6px 0 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; font-size: 11.5px; max-height: 180px; overflow: auto; }
`;
