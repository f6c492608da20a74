/** The eval report's stylesheet, on top of the timeline's (`viewer.css`: colours, cards, badges, panels). */
export const EVAL_STYLE = `
#facts { grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); }
.timeline-link { margin-left: auto; font-size: 13px; color: var(--critical); }
.gate { border-radius: 10px; padding: 10px 14px; margin-bottom: 12px; font-weight: 600; border: 1px solid; }
.gate.passed { background: #f0fdf4; color: #166534; border-color: #bbf7d0; }
.gate.failed { background: #fef2f2; color: #991b1b; border-color: #fecaca; }
section.panel { margin-bottom: 12px; }
.table-scroll { overflow: auto; }
.eval-table { width: 100%; border-collapse: collapse; font-size: 13px; }
.eval-table th, .eval-table td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #f1f5f9; white-space: nowrap; }
.eval-table th { color: #475569; font-weight: 600; background: #f8fafc; }
.eval-table .number { text-align: right; font-variant-numeric: tabular-nums; }
.eval-table .fail { color: #b91c1c; font-weight: 600; }
.eval-table .pass { color: #15803d; }
.delta-up { color: #15803d; }
.delta-down { color: #b91c1c; font-weight: 600; }
.filter { font-size: 12px; color: #334155; display: inline-flex; gap: 4px; align-items: center; }
.cases { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.case { border-bottom: 1px solid #f1f5f9; }
.case:last-child { border-bottom: none; }
.case > summary { display: grid; grid-template-columns: 112px minmax(200px, 1fr) var(--score-columns, 1fr); gap: 0; align-items: center; cursor: pointer; list-style: none; font-size: 12.5px; }
.case > summary::-webkit-details-marker { display: none; }
.case > summary > span { padding: 5px 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.case > summary:hover { background: #f8fafc; }
.case.change-regressed > summary { background: #fef2f2; }
.case.change-regressed > summary:hover { background: #fee2e2; }
.case-header { display: grid; grid-template-columns: 112px minmax(200px, 1fr) var(--score-columns, 1fr); font-size: 12px; font-weight: 600; color: #475569; background: #f8fafc; border-bottom: 1px solid var(--line); }
.case-header > span { padding: 6px 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.score { text-align: right; font-variant-numeric: tabular-nums; }
.score.low { color: #b91c1c; font-weight: 600; }
.score.mid { color: #b45309; }
.score.full { color: #15803d; }
.badge.regressed { background: #fef2f2; color: #b91c1c; border-color: #fecaca; }
.badge.improved { background: #f0fdf4; color: #15803d; border-color: #bbf7d0; }
.badge.unchanged { background: #f8fafc; color: #475569; border-color: var(--line); }
.badge.added, .badge.removed { background: #eff6ff; color: #1d4ed8; border-color: #bfdbfe; }
.case-body { padding: 8px 12px 12px 20px; background: #fcfdff; font-size: 12.5px; }
.case-body h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 10px 0 4px; }
.case-body pre { margin: 0; background: #f8fafc; border: 1px solid var(--line); border-radius: 8px; padding: 6px 8px; white-space: pre-wrap; word-break: break-word; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; max-height: 260px; overflow: auto; }
.case-body pre.error { background: #fef2f2; border-color: #fecaca; color: #991b1b; }
.trial { border-top: 1px dashed var(--line); margin-top: 8px; padding-top: 6px; }
.trial-heading { display: flex; gap: 12px; align-items: baseline; }
.scores-table { border-collapse: collapse; margin-top: 4px; }
.scores-table td, .scores-table th { padding: 2px 8px; text-align: left; vertical-align: top; border-bottom: 1px solid #f1f5f9; }
.scores-table .reason { white-space: normal; max-width: 720px; word-break: break-word; }
.baseline-deltas { color: var(--muted); }
`;
