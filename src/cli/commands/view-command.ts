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
import { redisOption } from '../redis-url-flag.js';
import { reportError } from '../report-error.js';

interface ViewFlags {
  open: boolean;
  port?: number;
  store?: string;
  redis?: string | true;
}

export function viewCommand(): Command {
  return new Command('view')
    .description('show a run as a timeline in the browser: steps, retries, limiter waits, 429 backoffs, critical path, cost; an eval as its report')
    .argument('[run]', 'a run id from the journal, or a trace .jsonl file (default: the latest run)')
    .addOption(new Option('--no-open', 'print the URL without opening a browser'))
    .addOption(new Option('--port <n>', 'serve on this port (default: a free one)').argParser(positiveInteger))
    .addOption(new Option('--store <file>', 'the run journal database (default: in the braid data directory)'))
    .addOption(redisOption('also look for the run among the distributed batches in this Redis').env('BRAID_REDIS_URL'))
    .addHelpText(
      'after',
      `
Examples:
  $ braid view                      # the latest run
  $ braid view 3f2c9a1e-…           # a run from braid runs (an eval opens on its report)
  $ braid view run.jsonl --no-open  # a trace written with --trace
  $ braid view 3f2c9a1e-… --redis   # a distributed batch (Redis URL in BRAID_REDIS_URL)`,
    )
    .action(async (run: string | undefined, flags: ViewFlags) => {
      try {
        const { spans, evaluation } = await loadRun(run, flags.store ?? defaultStorePath(), flags.redis);
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

/** A run's spans, from a trace file, the store, or (with `--redis`) a distributed batch's; and its eval report, when the run is an eval. */
async function loadRun(run: string | undefined, storeFile: string, redis: string | true | undefined): Promise<{ spans: Span[]; evaluation?: EvalReport }> {
  if (run !== undefined && (run.endsWith('.jsonl') || existsSync(run))) {
    if (!existsSync(run)) throw new InputError(`no trace file ${run}`);
    return { spans: await readTraceFile(run) };
  }
  const store = openRunStore(storeFile);
  try {
    const id = run ?? store.listRuns({ limit: 1 })[0]?.id;
    if (id === undefined) throw new InputError('no runs yet: run a workflow first, or give a trace file');
    if (!store.getRun(id)) {
      if (redis !== undefined) {
        // a distributed batch: its items' timelines, as the workers recorded them
        const spans = await (await import('../distributed-runs.js')).loadBatchSpans(redis, id);
        if (spans !== undefined && spans.length > 0) return { spans };
        if (spans !== undefined) throw new InputError(`batch ${id} has no recorded steps yet: no worker has finished an item of it`);
      }
      throw new InputError(`no run ${id} in ${storeFile}${redis === undefined ? '' : ' nor in Redis'}; braid runs lists them`);
    }
    const evaluation = store.getEval(id);
    return { spans: store.runSpans(id), ...(evaluation === undefined ? {} : { evaluation }) };
  } finally {
    store.close();
  }
}

