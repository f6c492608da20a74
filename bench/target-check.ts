import type { BenchTable } from './print-table.js';

/** One target from the issues, and what this run measured against it. Reported, never asserted. */
export interface TargetCheck {
  target: string;
  measured: string;
  /** undefined when the run could not measure it (a contender failed, a suite was skipped). */
  isMet: boolean | undefined;
}

/** The targets of every suite in one table, so a miss cannot hide between the raw figures. */
export function targetsTable(checks: readonly TargetCheck[]): BenchTable {
  return {
    title: 'Targets (measured in this run; benchmarks report, they do not fail)',
    columns: ['target', 'measured', 'met'],
    textColumns: 3,
    rows: checks.map((check) => [check.target, check.measured, check.isMet === undefined ? 'n/a' : check.isMet ? 'yes' : 'NO']),
  };
}
