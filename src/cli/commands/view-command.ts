import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { readTraceFile } from '../../core/read-trace-file.js';
import type { EvalReport } from '../../core/eval-report.js';
import type { Span } from '../../core/span.js';
import { defaultStorePath } from '../../store/default-store-path.js';
import { openRunStore } from '../../store/run-store.js';
import { openBrowser } from '../../viewer/open-browser.js';
import { startViewer } from '../../viewer/start-viewer.js';
import { InputError } from '../../core/errors.js';
import { positiveInteger } from '../engine-flags.js';
import { reportError } from '../report-error.js';

interface ViewFlags {
  open: boolean;
  port?: number;
  store?: string;
}

export function viewCommand(): Command {
  return new Command('view')
    .description('show a run as a timeline in the browser: steps, retries, limiter waits, 429 backoffs, critical path, cost; an eval as its report')
    .argument('[run]', 'a run id from the journal, or a trace .jsonl file (default: the latest run)')
    .addOption(new Option('--no-open', 'print the URL without opening a browser'))
    .addOption(new Option('--port <n>', 'serve on this port (default: a free one)').argParser(positiveInteger))
    .addOption(new Option('--store <file>', 'the run journal database (default: in the braid data directory)'))
    .addHelpText(
      'after',
      `
Examples:
  $ braid view                      # the latest run
  $ braid view 3f2c9a1e-…           # a run from braid runs (an eval opens on its report)
  $ braid view run.jsonl --no-open  # a trace written with --trace`,
    )
    .action(async (run: string | undefined, flags: ViewFlags) => {
      try {
        const { spans, evaluation } = await loadRun(run, flags.store ?? defaultStorePath());
        const viewer = await startViewer({ spans, port: flags.port, ...(evaluation === undefined ? {} : { evaluation }) });
        // an eval opens on its report, whose cases link to their part of the timeline
        const url = evaluation === undefined ? viewer.url : new URL('eval', viewer.url).href;
        process.stderr.write(`braid: viewing ${evaluation === undefined ? '' : `the eval report and `}${spans.length} spans at ${url} (Ctrl-C to stop)\n`);
        process.stdout.write(`${url}\n`);
        await openBrowser(url, { enabled: flags.open });
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
        await viewer.close();
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}

/** A run's spans, from a trace file or the store; and its eval report, when the run is an eval. */
async function loadRun(run: string | undefined, storeFile: string): Promise<{ spans: Span[]; evaluation?: EvalReport }> {
  if (run !== undefined && (run.endsWith('.jsonl') || existsSync(run))) {
    if (!existsSync(run)) throw new InputError(`no trace file ${run}`);
    return { spans: await readTraceFile(run) };
  }
  const store = openRunStore(storeFile);
  try {
    const id = run ?? store.listRuns({ limit: 1 })[0]?.id;
    if (id === undefined) throw new InputError('no runs yet: run a workflow first, or give a trace file');
    if (!store.getRun(id)) throw new InputError(`no run ${id} in ${storeFile}; braid runs lists them`);
    const evaluation = store.getEval(id);
    return { spans: store.runSpans(id), ...(evaluation === undefined ? {} : { evaluation }) };
  } finally {
    store.close();
  }
}

