import type { FaqTrial } from '../workflows/faq/evaluate-faq.js';
import type { PlanningReport } from '../workflows/orders/evaluate-planning.js';
import { FALLBACK_COLUMN, type RoutingReport } from '../workflows/support/evaluate-routing.js';
import { toTerminalText } from './terminal-text.js';

/** The longest a miss's query or reason is shown, so each stays on one line. */
const EXCERPT_CHARACTERS = 100;

/** A routing evaluation for people: the accuracy, the confusion matrix, per-intent scores and the misses. */
export function formatRoutingReport(report: RoutingReport): string {
  const intents = Object.keys(report.perIntent);
  const columns = [...intents, FALLBACK_COLUMN];
  const lines = [
    `Routing accuracy: ${percent(report.accuracy)} (${report.correct} of ${report.total} correct${report.fellBack > 0 ? `, ${report.fellBack} fell back` : ''})`,
    '',
    'Confusion matrix (rows: expected, columns: predicted)',
    ...formatTable([['', ...columns], ...intents.map((intent) => [intent, ...columns.map((column) => String(report.confusion[intent]![column]))])]),
    '',
    ...formatTable([
      ['', 'precision', 'recall', 'F1', 'expected', 'predicted'],
      ...intents.map((intent) => {
        const score = report.perIntent[intent]!;
        return [intent, percent(score.precision), percent(score.recall), percent(score.f1), String(score.expected), String(score.predicted)];
      }),
    ]),
    '',
    ...formatMisses(
      report.misses.map((miss) => ({ line: miss.line, trial: miss.trial, q: miss.q, details: [`expected ${miss.expected}, got ${miss.predicted}${miss.reason ? ` (${miss.reason})` : ''}`] })),
    ),
  ];
  return toTerminalText(`${lines.join('\n')}\n`);
}

/** A planning evaluation for people: whole-plan matches, task types, ids, per-type scores and the misses. */
export function formatPlanningReport(report: PlanningReport): string {
  const { tasks, ids } = report;
  const lines = [
    `Exact plans: ${percent(report.exactMatchRate)} (${report.exactMatches} of ${report.messages} messages${report.failed > 0 ? `, ${report.failed} planner failures` : ''})`,
    `Task types:  precision ${percent(tasks.precision)}, recall ${percent(tasks.recall)}, F1 ${percent(tasks.f1)} (${tasks.matched} matched; ${tasks.expected} expected, ${tasks.predicted} predicted)`,
    `Ids:         ${percent(ids.accuracy)} (${ids.correct} of ${ids.compared} matched tasks name the labelled record)`,
    '',
    ...formatTable([
      ['', 'precision', 'recall', 'F1', 'expected', 'predicted', 'matched'],
      ...Object.entries(report.perType).map(([type, score]) => [
        type,
        percent(score.precision),
        percent(score.recall),
        percent(score.f1),
        String(score.expected),
        String(score.predicted),
        String(score.matched),
      ]),
    ]),
    '',
    ...formatMisses(report.misses.map((miss) => ({ line: miss.line, trial: miss.trial, q: miss.q, details: miss.problems }))),
  ];
  return toTerminalText(`${lines.join('\n')}\n`);
}

function formatMisses(misses: readonly { line: number; trial?: number; q: string; details: readonly string[] }[]): string[] {
  if (misses.length === 0) return ['Misses: none'];
  return [
    `Misses (${misses.length}):`,
    ...misses.flatMap((miss) => [
      `  line ${miss.line}${miss.trial === undefined ? '' : ` (trial ${miss.trial})`}: ${JSON.stringify(oneLine(miss.q))}`,
      ...miss.details.map((detail) => `    - ${oneLine(detail)}`),
    ]),
  ];
}

/** A FAQ evaluation's own part for people: each entry of the first trial's FAQ, and what failed. */
export function formatFaqEvaluation({ questions, trials }: { questions: number; trials: readonly FaqTrial[] }): string {
  const [first] = trials;
  const lines = [`FAQ eval: ${questions} entries asked${trials.length > 1 ? `, ${trials.length} FAQs written` : ''}`];
  trials.forEach((trial, index) => {
    const name = trials.length > 1 ? `trial ${index + 1}: ` : '';
    if (trial.error !== undefined) lines.push(`  ${name}the FAQ failed: ${oneLine(trial.error)}`);
    for (const failure of trial.failures) lines.push(`  ${name}the question ${JSON.stringify(oneLine(failure.question))} failed: ${oneLine(failure.error)}`);
  });
  if (first !== undefined && first.faqs.length > 0) {
    lines.push('', trials.length > 1 ? 'The first FAQ:' : 'The FAQ:');
    first.faqs.forEach((entry, index) => {
      lines.push(`  ${index + 1}. ${oneLine(entry.question)}`, `     ${oneLine(entry.answer)}`, `     sources: ${entry.sources.map((source) => oneLine(source)).join('; ')}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

/** Columns padded to their widest cell: the first (the labels) left-aligned, the numbers right-aligned. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`.trimEnd(),
  );
}

export function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARACTERS ? `${flat.slice(0, EXCERPT_CHARACTERS - 1)}…` : flat;
}
