import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { readTraceFile } from '../../core/read-trace-file.js';
import { InputError } from '../../core/errors.js';
import type { Span } from '../../core/span.js';
import { defaultStorePath } from '../../store/default-store-path.js';
import { openRunStore, type RunStore } from '../../store/run-store.js';
import { openBrowser } from '../../viewer/open-browser.js';
import { startConsole } from '../../viewer/start-console.js';
import { startViewer } from '../../viewer/start-viewer.js';
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
    .description('the console in the browser: every run, live; a run as a timeline (steps, retries, waits, 429 backoffs, critical path, cost); cancel, resume, retry, answer waits; an eval as its report')
    .argument('[run]', 'open this run (an id from braid runs), or show a trace .jsonl file (default: the list of runs)')
    .addOption(new Option('--no-open', 'print the URL without opening a browser'))
    .addOption(new Option('--port <n>', 'serve on this port (default: a free one)').argParser(positiveInteger))
    .addOption(new Option('--store <file>', 'the run journal database (default: in the braid data directory)'))
    .addOption(redisOption('also look for the run among the distributed batches in this Redis (read-only)').env('BRAID_REDIS_URL'))
    .addHelpText(
      'after',
      `
Examples:
  $ braid view                      # every run in the store, live
  $ braid view 3f2c9a1e-…           # one run: its timeline as it goes, and what can be done to it
  $ braid view eval-7d1c…           # an eval opens on its report (read-only)
  $ braid view run.jsonl --no-open  # a trace written with --trace (read-only)
  $ braid view 3f2c9a1e-… --redis   # a distributed batch (Redis URL in BRAID_REDIS_URL; read-only)

The console serves on 127.0.0.1 only. Resume and retry start braid resume|retry in this
folder, as a process of their own that outlives the console; its output goes to console-logs/
beside the store. Cancel sends Ctrl-C (SIGINT) to the run's process, when it runs on this machine.`,
    )
    .action(async (run: string | undefined, flags: ViewFlags) => {
      try {
        if (run !== undefined && (run.endsWith('.jsonl') || existsSync(run))) await viewTraceFile(run, flags);
        else await viewStore(run, flags);
      } catch (error) {
        process.exitCode = reportError(error);
      }
    });
}

async function viewTraceFile(file: string, flags: ViewFlags): Promise<void> {
  if (!existsSync(file)) throw new InputError(`no trace file ${file}`);
  await viewSpans(await readTraceFile(file), file, flags);
}

/** The read-only timeline of spans that are not a run in the store (a trace file, a distributed batch). */
async function viewSpans(spans: Span[], what: string, flags: ViewFlags): Promise<void> {
  const viewer = await startViewer({ spans, port: flags.port });
  process.stderr.write(`braid: viewing ${what} (${spans.length} spans) at ${viewer.url} (Ctrl-C to stop)\n`);
  process.stdout.write(`${viewer.url}\n`);
  await openBrowser(viewer.url, { enabled: flags.open });
  await untilInterrupted();
  await viewer.close();
}

async function viewStore(runId: string | undefined, flags: ViewFlags): Promise<void> {
  const storeFile = flags.store ?? defaultStorePath();
  const store: RunStore = openRunStore(storeFile);
  try {
    if (runId !== undefined && !store.getRun(runId)) {
      if (flags.redis !== undefined) {
        // a distributed batch: its items' timelines as the workers recorded them, read-only
        const spans = await (await import('../distributed-runs.js')).loadBatchSpans(flags.redis, runId);
        if (spans !== undefined && spans.length > 0) return await viewSpans(spans, `batch ${runId}`, flags);
        if (spans !== undefined) throw new InputError(`batch ${runId} has no recorded steps yet: no worker has finished an item of it`);
      }
      throw new InputError(`no run ${runId} in ${storeFile}${flags.redis === undefined ? '' : ' nor in Redis'}; braid runs lists them`);
    }
    const evaluation = runId === undefined ? undefined : store.getEval(runId);
    if (runId !== undefined && evaluation !== undefined) {
      // an eval is a finished run with a report: it opens on the report, whose cases link to their part of the timeline
      const viewer = await startViewer({ spans: store.runSpans(runId), port: flags.port, evaluation });
      const url = new URL('eval', viewer.url).href;
      process.stderr.write(`braid: viewing the eval report of ${runId} at ${url} (Ctrl-C to stop)\n`);
      process.stdout.write(`${url}\n`);
      await openBrowser(url, { enabled: flags.open });
      await untilInterrupted();
      await viewer.close();
      return;
    }
    const console = await startConsole({
      store,
      storeFile,
      // the console resumes runs with this very braid: the same node, loader flags and entry point
      braidCommand: [process.execPath, ...process.execArgv, process.argv[1]!],
      port: flags.port,
    });
    const url = runId === undefined ? console.url : console.runUrl(runId);
    process.stderr.write(`braid: console for ${storeFile} at ${console.url} (Ctrl-C to stop)\n`);
    process.stdout.write(`${url}\n`);
    await openBrowser(url, { enabled: flags.open });
    await untilInterrupted();
    await console.close();
  } finally {
    store.close();
  }
}

function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
}
