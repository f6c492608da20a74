import type { EvalReport } from '../core/eval-report.js';
import type { CaseChange } from '../core/compare-evals.js';
import { formatTable, oneLine, percent } from './format-evaluation-report.js';

/** Changes listed case by case; unchanged cases are only counted. */
const LISTED_CHANGES: readonly CaseChange[] = ['regressed', 'improved', 'added', 'removed'];

/**
 * The part of every eval's report for people that is the same for all kinds: each scorer's mean
 * (and spread, with trials), its threshold and its change against the baseline; the cases that
 * moved; optionally every score below full marks with its reason; and the gate.
 */
export function formatEvalSummary(report: EvalReport, { listLowScores = false }: { listLowScores?: boolean } = {}): string {
  const { trials } = report.eval;
  const hasThresholds = Object.keys(report.thresholds).length > 0;
  const header = ['scorer', 'mean', ...(trials > 1 ? ['spread', 'min', 'max'] : []), ...(hasThresholds ? ['threshold'] : []), ...(report.baseline ? ['baseline', 'change'] : [])];
  const rows = Object.entries(report.scorers).map(([name, stats]) => {
    const threshold = report.thresholds[name];
    const delta = report.baseline?.scorers[name];
    return [
      name,
      percent(stats.mean),
      ...(trials > 1 ? [stats.stddev === null ? '—' : `±${percent(stats.stddev)}`, percent(stats.min), percent(stats.max)] : []),
      ...(hasThresholds ? [threshold === undefined ? '' : `${percent(threshold)} ${stats.mean !== null && stats.mean >= threshold && stats.errors === 0 ? 'pass' : 'FAIL'}`] : []),
      ...(delta ? [percent(delta.baseline), delta.delta === null ? '—' : signedPercent(delta.delta)] : []),
    ];
  });
  const cases = report.cases.length;
  const lines = [`Scores over ${cases} case${cases === 1 ? '' : 's'}${trials > 1 ? `, ${trials} trials each` : ''}:`, ...formatTable([header, ...rows])];
  const missing = Object.entries(report.scorers).filter(([, stats]) => stats.errors > 0);
  for (const [name, stats] of missing) lines.push(`  ${name}: ${stats.errors} score${stats.errors === 1 ? '' : 's'} missing (the scorer failed)`);

  if (report.baseline) {
    const { counts } = report.baseline;
    lines.push(
      '',
      `Against ${report.baseline.id}: ${counts.regressed} regressed, ${counts.improved} improved, ${counts.unchanged} unchanged` +
        `${counts.added > 0 ? `, ${counts.added} added` : ''}${counts.removed > 0 ? `, ${counts.removed} removed` : ''}`,
    );
    for (const change of LISTED_CHANGES) {
      for (const item of report.baseline.cases.filter((candidate) => candidate.change === change)) {
        const moved = Object.entries(item.scores)
          .filter(([, score]) => score.delta !== null && score.delta !== 0)
          .map(([name, score]) => `${name} ${percent(score.baseline)} → ${percent(score.current)}`);
        lines.push(`  ${change.padEnd(9)}  ${oneLine(item.label)}${moved.length > 0 ? `  (${moved.join(', ')})` : ''}`);
      }
    }
  }

  if (listLowScores) {
    const low = report.cases.flatMap((item) =>
      item.trials.flatMap((trial, index) =>
        Object.entries(trial.scores)
          .filter(([, score]) => score.error !== undefined || (score.score !== null && score.score < 1))
          .map(([name, score]) => {
            const where = `${item.id}${trials > 1 ? ` (trial ${index + 1})` : ''}`;
            const verdict = score.error !== undefined ? `missing: ${score.error}` : `${score.score}: ${score.reason ?? 'no reason given'}`;
            return `  ${where} ${name} ${oneLine(verdict)}`;
          }),
      ),
    );
    lines.push('', low.length === 0 ? 'Below full marks: none' : `Below full marks (${low.length}):`, ...low);
  }

  if (report.gate.status !== 'none') lines.push('', report.gate.status === 'passed' ? 'Gate: passed' : `Gate: FAILED: ${report.gate.reason ?? ''}`);
  return `${lines.join('\n')}\n`;
}

function signedPercent(value: number): string {
  const text = percent(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `-${text}` : text;
}
