import type { LearnedBudget, LearnedLimits } from '../core/limit-memory.js';

/**
 * What `braid limits` prints: one line per learned budget (and spent daily quota) of each
 * provider + model, with where it came from and when.
 *
 * @example
 * formatLimitsTable({ 'openai:gpt-4.1-mini': { requests: { perWindow: 500, source: 'headers', learnedAt: '…' } } });
 */
export function formatLimitsTable(models: Readonly<Record<string, LearnedLimits>>): string {
  const rows: string[][] = [];
  for (const [modelKey, learned] of Object.entries(models).sort(([a], [b]) => a.localeCompare(b))) {
    const budgets = [['requests', learned.requests], ['tokens', learned.tokens]] as const;
    for (const [unit, budget] of budgets) {
      if (budget) rows.push([modelKey, unit, describeLimit(unit, budget), describeSource(budget), formatTime(budget.learnedAt)]);
    }
    const quota = learned.exhaustedQuota;
    if (quota) {
      const limit = quota.limit === undefined ? '' : `${quota.limit} ${quota.unit} per day, `;
      const reset = quota.resetsAt === undefined ? 'reset time not given' : `resets ${formatTime(quota.resetsAt)}`;
      rows.push([modelKey, 'daily quota', `${limit}ran out (${reset})`, `429 body ${quota.name}`, formatTime(quota.at)]);
    }
  }
  if (rows.length === 0) return 'nothing learned yet: limits are learned from the answers of the first run against a provider\n';
  const header = ['MODEL', 'BUDGET', 'LIMIT', 'SOURCE', 'LEARNED'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function describeLimit(unit: string, budget: LearnedBudget): string {
  const parts: string[] = [];
  if (budget.perWindow !== undefined) {
    const window = budget.windowMs === undefined ? 'minute' : `${Number((budget.windowMs / 1000).toFixed(1))} s`;
    parts.push(`${budget.perWindow.toLocaleString('en-US')} ${unit} per ${window}`);
  }
  if (budget.perSecond !== undefined) parts.push(`${formatRate(budget.perSecond)} ${unit} per second measured`);
  return parts.join(', ');
}

function describeSource(budget: LearnedBudget): string {
  if (budget.source === '429 rate') return '429s with Retry-After only';
  return budget.detail === undefined ? budget.source : `${budget.source} ${budget.detail}`;
}

function formatRate(perSecond: number): string {
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toPrecision(2);
}

function formatTime(iso: string): string {
  return iso.replace('T', ' ').slice(0, 19);
}
