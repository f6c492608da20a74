import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findCriticalPath, type CriticalPath } from '../core/critical-path.js';
import type { EvalReport } from '../core/eval-report.js';
import { summarizeRun, type RunSummary } from '../core/run-summary.js';
import type { Span } from '../core/span.js';
import { echartsScriptPath } from './echarts-script-path.js';
import { EVAL_PAGE } from './eval-page.js';
import { EVAL_SCRIPT } from './eval-script.js';
import { EVAL_STYLE } from './eval-style.js';
import { send } from './http-responses.js';
import { isForeignHost, listenLocally } from './listen-locally.js';
import { serveViewerAsset } from './serve-viewer-asset.js';
import { spansInScope } from './spans-in-scope.js';
import { runPage } from './viewer-page.js';

export interface ViewerOptions {
  /** The run's spans, e.g. from `readTraceFile` or `runtime.spans()`. */
  spans: readonly Span[];
  /** Shown as the page heading. @default the run span's name, else 'braid run' */
  title?: string;
  /** @default '127.0.0.1' (the page shows prompts and outputs: keep it off the network) */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** An eval's report, shown at `/eval` (its cases link to their part of the timeline). */
  evaluation?: EvalReport;
}

export interface Viewer {
  /** Where the page is, e.g. `http://127.0.0.1:43117/`. */
  url: string;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** A run as the page reads it: the spans plus what the server computes once. */
export interface ViewerData {
  title: string;
  runId: string;
  summary: RunSummary;
  criticalPath: CriticalPath;
  spans: readonly Span[];
}

/** The page's data for these spans: the summary and the critical path are computed here, once. */
export function viewerData(spans: readonly Span[], title?: string): ViewerData {
  const run = spans.find((span) => span.kind === 'run');
  const runId = run?.runId ?? spans[0]?.runId ?? '';
  return { title: title ?? run?.name ?? 'braid run', runId, summary: summarizeRun(runId, spans), criticalPath: findCriticalPath(spans), spans };
}

/**
 * Serves a local page that shows a run: a timeline of every step and attempt with retries,
 * limiter waits and 429 backoffs, the critical path, the totals, and each step's prompt and output;
 * and an eval's report, when given. It reads only the spans it is given (a trace file, a finished
 * eval); `braid view` on the run store serves the live console instead.
 *
 * @example
 * const viewer = await startViewer({ spans: await readTraceFile('run.trace.jsonl') });
 * console.log(`open ${viewer.url}`);
 * // … later
 * await viewer.close();
 */
export async function startViewer({ spans, title, host = '127.0.0.1', port = 0, evaluation }: ViewerOptions): Promise<Viewer> {
  const runTitle = title ?? spans.find((span) => span.kind === 'run')?.name ?? 'braid run';
  const dataBody = JSON.stringify(viewerData(spans, runTitle)); // once: a 5,000-step run is megabytes
  const evalBody = evaluation === undefined ? undefined : JSON.stringify(evaluation);
  const page = runPage();
  const echartsPath = echartsScriptPath();

  const server = createServer((request, response) => {
    if (isForeignHost(request, host, (server.address() as AddressInfo | null)?.port)) {
      return send(response, 421, 'text/plain; charset=utf-8', 'unexpected Host header\n');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    const url = new URL(request.url ?? '/', 'http://viewer.invalid');
    if (serveViewerAsset(url.pathname, response, { echartsPath })) return;
    switch (url.pathname) {
      case '/':
      case '/index.html':
        return send(response, 200, 'text/html; charset=utf-8', page);
      case '/api/run': {
        // ?scope=<position path>: the timeline of one part of the run (an eval's case or trial)
        const scope = url.searchParams.get('scope');
        if (scope === null || scope === '') return send(response, 200, 'application/json; charset=utf-8', dataBody);
        return send(response, 200, 'application/json; charset=utf-8', JSON.stringify(viewerData(spansInScope(spans, scope), `${runTitle} · ${scope}`)));
      }
      case '/eval':
        return evalBody === undefined ? send(response, 404, 'text/plain; charset=utf-8', 'this run is not an eval\n') : send(response, 200, 'text/html; charset=utf-8', EVAL_PAGE);
      case '/eval.js':
        return send(response, 200, 'text/javascript; charset=utf-8', EVAL_SCRIPT);
      case '/eval.css':
        return send(response, 200, 'text/css; charset=utf-8', EVAL_STYLE);
      case '/api/eval':
        return evalBody === undefined ? send(response, 404, 'text/plain; charset=utf-8', 'this run is not an eval\n') : send(response, 200, 'application/json; charset=utf-8', evalBody);
      default:
        return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  });

  const listening = await listenLocally(server, host, port);
  return { url: listening.url, close: listening.close };
}
