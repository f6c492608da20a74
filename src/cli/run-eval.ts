import { checkThresholds } from '../core/check-eval-gate.js';
import { InputError } from '../core/errors.js';
import { createEvalReport, type EvalReport } from '../core/eval-report.js';
import type { EvalResult } from '../core/summarize-eval.js';
import { defaultStorePath } from '../store/default-store-path.js';
import { openRunStore } from '../store/run-store.js';
import type { EvalFlags } from './eval-flags.js';
import { EXIT } from './exit-codes.js';
import { formatEvalSummary } from './format-eval-summary.js';
import type { CliRunIdentity } from './open-cli-runtime.js';
import { reportError } from './report-error.js';
import { summaryJson } from './summary-json.js';
import { describeFinished, withCliRun, type CliRunContext } from './with-cli-run.js';
import { toTerminalText } from './terminal-text.js';

/** What one kind of eval (route, orchestrate, faq) hands the shared eval life. */
export interface EvalCommandSpec<Details> {
  /** `route`, `orchestrate`, `faq`: `--baseline` compares only evals of the same kind. */
  kind: string;
  /** What it runs on, as named on the command line; `--baseline last` looks for the same. */
  dataset: string;
  /** The scorers it will have, so a threshold on another name fails before anything runs. */
  scorerNames: readonly string[];
  identity: CliRunIdentity;
  /** The judge's model spec when the eval has judges; `same` for the run's own model. */
  judgeSpec?: string;
  /** Runs the eval in the CLI run. */
  measure: (context: CliRunContext) => Promise<{ result: EvalResult; details: Details }>;
  /** The kind's own report for people (a confusion matrix, the FAQ), printed before the scores. */
  formatDetails: (details: Details, result: EvalResult) => string;
  /** List every score below 1 with its reason (for kinds whose own report does not list misses). */
  listLowScores?: boolean;
}

/**
 * The life of one `braid eval …` command: checks the gate's flags and finds the baseline before
 * anything runs, runs the eval as a CLI run, compares it with the baseline, stores the report
 * (`braid view <id>` shows it), prints it, and returns exit code 1 with a one-line reason when the
 * gate (`--threshold`, `--max-regressions`) is not met.
 */
export async function runEval<Details>(flags: EvalFlags, spec: EvalCommandSpec<Details>): Promise<number> {
  let baseline: EvalReport | undefined;
  try {
    checkThresholds(flags.threshold, spec.scorerNames);
    if (flags.maxRegressions !== undefined && flags.baseline === undefined) {
      throw new InputError('--max-regressions counts cases that regressed against a baseline: add --baseline last (or an eval id)');
    }
    baseline = readBaseline(flags, spec);
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  }
  return withCliRun(flags, spec.identity, async (context) => {
    const { braid, store, modelSpec, isInteractive } = context;
    if (flags.baseline === 'last' && baseline === undefined) {
      process.stderr.write(`braid: no earlier eval of ${spec.kind} on ${spec.dataset} to compare with (evals that failed their gate do not count); this one sets the baseline\n`);
    }
    const { result, details } = await spec.measure(context);
    const report = createEvalReport(result, {
      id: braid.runId,
      kind: spec.kind,
      dataset: spec.dataset,
      model: modelSpec,
      ...(spec.judgeSpec === undefined ? {} : { judge: spec.judgeSpec === 'same' ? modelSpec : spec.judgeSpec }),
      ...(baseline === undefined ? {} : { baseline }),
      thresholds: flags.threshold,
      ...(flags.maxRegressions === undefined ? {} : { maxRegressions: flags.maxRegressions }),
      details,
    });
    const { gate } = report;
    try {
      store.saveEval(report);
    } catch (error) {
      // the scores are printed either way; only the baseline for the next eval and the report page are lost
      process.stderr.write(`braid: the eval could not be stored: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    const summary = braid.summary();
    if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, summary: summaryJson(summary) }, null, 2)}\n`);
    else process.stdout.write(toTerminalText(`${spec.formatDetails(details, result)}\n${formatEvalSummary(report, { listLowScores: spec.listLowScores === true })}`));
    if (isInteractive) process.stderr.write(`braid: ${describeFinished(summary)}\nbraid: braid view ${braid.runId} shows the report\n`);
    if (gate.status === 'failed') {
      process.stderr.write(`braid: the eval failed its gate: ${gate.reason}\n`);
      return EXIT.failed;
    }
    return EXIT.ok;
  });
}

/** The baseline named by `--baseline`, read before the run starts: a wrong id fails at once. */
function readBaseline(flags: EvalFlags, { kind, dataset }: { kind: string; dataset: string }): EvalReport | undefined {
  if (flags.baseline === undefined) return undefined;
  const file = flags.store ?? defaultStorePath();
  const store = openRunStore(file);
  try {
    if (flags.baseline === 'last') return store.findLastEval({ kind, dataset, excludeId: flags.resume ?? flags.runId });
    const report = store.getEval(flags.baseline);
    if (report === undefined) throw new InputError(`no eval ${flags.baseline} in ${file} to compare with; an eval's id is its run id (braid runs lists them)`);
    if (report.eval.kind !== kind) throw new InputError(`eval ${flags.baseline} measured ${report.eval.kind}, not ${kind}: a baseline must be the same kind of eval`);
    return report;
  } finally {
    store.close();
  }
}
