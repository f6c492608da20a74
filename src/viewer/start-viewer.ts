import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findCriticalPath, type CriticalPath } from '../core/critical-path.js';
import { summarizeRun, type RunSummary } from '../core/run-summary.js';
import type { EvalReport } from '../core/eval-report.js';
import type { Span } from '../core/span.js';
import { echartsScriptPath } from './echarts-script-path.js';
import { EVAL_PAGE } from './eval-page.js';
import { EVAL_SCRIPT } from './eval-script.js';
import { EVAL_STYLE } from './eval-style.js';
import { spansInScope } from './spans-in-scope.js';
import { VIEWER_PAGE } from './viewer-page.js';
import { VIEWER_SCRIPT } from './viewer-script.js';
import { VIEWER_STYLE } from './viewer-style.js';

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

/** The run as the page reads it from `/api/run`: the spans plus what the server computes once. */
export interface ViewerData {
  title: string;
  runId: string;
  summary: RunSummary;
  criticalPath: CriticalPath;
  spans: readonly Span[];
}

// model text never reaches the page as markup: the data comes as JSON from its own endpoint and
// the script writes it with textContent; this policy stops anything that slips through anyway
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Serves a local page that shows a run: a timeline of every step and attempt with retries,
 * limiter waits and 429 backoffs, the critical path, the totals, and each step's prompt and output.
 *
 * @example
 * const viewer = await startViewer({ spans: await readTraceFile('run.trace.jsonl') });
 * console.log(`open ${viewer.url}`);
 * // … later
 * await viewer.close();
 */
export async function startViewer({ spans, title, host = '127.0.0.1', port = 0, evaluation }: ViewerOptions): Promise<Viewer> {
  const run = spans.find((span) => span.kind === 'run');
  const runId = run?.runId ?? spans[0]?.runId ?? '';
  const viewerData = (shown: readonly Span[], heading: string): ViewerData => ({
    title: heading,
    runId,
    summary: summarizeRun(runId, shown),
    criticalPath: findCriticalPath(shown),
    spans: shown,
  });
  const runTitle = title ?? run?.name ?? 'braid run';
  const dataBody = JSON.stringify(viewerData(spans, runTitle)); // once: a 5,000-step run is megabytes
  const evalBody = evaluation === undefined ? undefined : JSON.stringify(evaluation);
  const echartsPath = echartsScriptPath();

  const server = createServer((request, response) => {
    const expectedPort = (server.address() as AddressInfo | null)?.port;
    if (LOOPBACK_HOSTS.has(host) && !isLoopbackHostHeader(request, expectedPort)) {
      // a DNS-rebinding page on another site must not read the run through the browser
      return send(response, 421, 'text/plain; charset=utf-8', 'unexpected Host header\n');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    const url = new URL(request.url ?? '/', 'http://viewer.invalid');
    const path = url.pathname;
    switch (path) {
      case '/':
      case '/index.html':
        return send(response, 200, 'text/html; charset=utf-8', VIEWER_PAGE);
      case '/viewer.js':
        return send(response, 200, 'text/javascript; charset=utf-8', VIEWER_SCRIPT);
      case '/viewer.css':
        return send(response, 200, 'text/css; charset=utf-8', VIEWER_STYLE);
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
      case '/vendor/echarts.min.js':
        return sendFile(response, echartsPath, 'text/javascript; charset=utf-8');
      case '/favicon.ico':
        return send(response, 204, 'text/plain; charset=utf-8', '');
      default:
        return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // keep-alive sockets from the browser would hold close() open
      }),
  };
}

function isLoopbackHostHeader(request: IncomingMessage, port: number | undefined): boolean {
  const header = request.headers.host;
  if (header === undefined) return false;
  const separator = header.lastIndexOf(':');
  const name = separator > header.lastIndexOf(']') ? header.slice(0, separator) : header;
  const headerPort = separator > header.lastIndexOf(']') ? Number(header.slice(separator + 1)) : 80;
  return LOOPBACK_HOSTS.has(name.toLowerCase()) && headerPort === port;
}

function securityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Cache-Control', 'no-store');
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  securityHeaders(response);
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function sendFile(response: ServerResponse, path: string, contentType: string): void {
  securityHeaders(response);
  response.setHeader('Content-Type', contentType);
  if (response.req.method === 'HEAD') {
    response.end();
    return;
  }
  const stream = createReadStream(path);
  stream.on('error', () => {
    if (!response.headersSent) response.statusCode = 500;
    response.end();
  });
  stream.pipe(response);
}
