import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { RunStore } from '../store/run-store.js';
import { z } from 'zod';
import { ActionRefusedError } from './action-refused-error.js';
import { checkActionRequest, readJsonBody } from './check-action-request.js';
import { CONSOLE_SCRIPT } from './console-script.js';
import { echartsScriptPath } from './echarts-script-path.js';
import { send, sendJson } from './http-responses.js';
import { isForeignHost, listenLocally } from './listen-locally.js';
import { openEventStream } from './open-event-stream.js';
import { createRunActions, type ConsoleChild } from './run-actions.js';
import { serveViewerAsset } from './serve-viewer-asset.js';
import { consolePage, runPage } from './viewer-page.js';
import { createStoreWatcher, type RunUpdate } from './watch-store.js';

export interface ConsoleOptions {
  /** The run store to show; the console reads it (and writes answers to waits), the caller closes it. */
  store: RunStore;
  /** Its file, for the `braid resume|retry` commands the console starts. */
  storeFile: string;
  /** How to start braid (`[node, ...execArgv, cli]`); without it, resume and retry are refused. */
  braidCommand?: readonly string[];
  /** Where resumed runs' output goes. @default `console-logs` beside the store file */
  logDirectory?: string;
  /** @default '127.0.0.1' (the pages show prompts and outputs, and act on runs: keep them off the network) */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** How often the store is read while a page is open. @default 250 */
  pollMs?: number;
  /** The environment of the runs it resumes (their model keys). @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface RunConsole {
  /** The runs list, e.g. `http://127.0.0.1:43117/`. */
  url: string;
  /** A run's page. */
  runUrl(runId: string): string;
  /** Stops the server and its event streams. Runs it resumed go on. */
  close(): Promise<void>;
}

/** A run as its page reads it: the row, the trace, and what can be done to it now. */
interface RunMessage extends RunUpdate {
  title: string;
  runId: string;
  /** What the page offers: `cancel`, `resume`, `retry` (answers to waits go with `run.waits`). */
  actions: string[];
  /** The last resume or retry this console started for it. */
  child?: ConsoleChild;
}

/**
 * Serves braid's console on a local port: the runs in the store, live (a run appears when it
 * starts and changes as it goes, with no reload), each run's timeline updating while it runs,
 * and the actions a run's state allows: answer what a waiting run waits for (a form built from the
 * wait's schema; the run then resumes), cancel a running run, resume or retry one that stopped.
 *
 * Every action is a POST that must carry the page's per-session token and come from the
 * console's own origin; requests naming another host are refused (DNS rebinding), and model text
 * only ever reaches the pages as JSON written with textContent, under a strict content policy.
 *
 * @example
 * const store = openRunStore(file);
 * const console = await startConsole({ store, storeFile: file, braidCommand: [process.execPath, cli] });
 * process.stdout.write(`${console.url}\n`);
 */
export async function startConsole({
  store,
  storeFile,
  braidCommand,
  logDirectory = join(dirname(storeFile), 'console-logs'),
  host = '127.0.0.1',
  port = 0,
  pollMs = 250,
  env = process.env,
}: ConsoleOptions): Promise<RunConsole> {
  const token = randomBytes(32).toString('hex');
  const listPage = consolePage({ token });
  const page = runPage({ token });
  const echartsPath = echartsScriptPath();
  const watcher = createStoreWatcher(store, { pollMs });
  const actions = createRunActions({ store, storeFile, braidCommand, logDirectory, env, pollMs });
  let origins: ReadonlySet<string> = new Set();

  const messageOf = (runId: string, update: RunUpdate): RunMessage => {
    const child = actions.childOf(runId);
    return {
      ...update,
      title: update.run?.workflow ?? runId,
      runId,
      actions: update.run ? actions.available(update.run) : [],
      ...(child === undefined ? {} : { child }),
    };
  };

  const handleAction = async (request: IncomingMessage, response: ServerResponse, runId: string, action: string): Promise<void> => {
    checkActionRequest(request, { token, origins });
    const body = await readJsonBody(request);
    let result: unknown;
    switch (action) {
      case 'signal': {
        const answer = AnswerBody.safeParse(body);
        if (!answer.success) throw new ActionRefusedError(400, `an answer is { name, key?, value }: ${z.prettifyError(answer.error)}`);
        result = actions.answer(runId, answer.data);
        break;
      }
      case 'resume':
      case 'retry':
        result = actions.rerun(runId, action);
        break;
      case 'cancel':
        result = actions.cancel(runId);
        break;
      default:
        throw new ActionRefusedError(404, `no action ${action}`);
    }
    watcher.poke();
    sendJson(response, 202, { ok: true, ...(result as object) });
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (isForeignHost(request, host, (server.address() as AddressInfo | null)?.port)) {
      return send(response, 421, 'text/plain; charset=utf-8', 'unexpected Host header\n');
    }
    const path = new URL(request.url ?? '/', 'http://console.invalid').pathname;
    const segments = path.split('/').slice(1).map(decodeSegment);
    const isRead = request.method === 'GET' || request.method === 'HEAD';

    if (request.method === 'POST') {
      if (segments.length === 4 && segments[0] === 'api' && segments[1] === 'runs') return handleAction(request, response, segments[2]!, segments[3]!);
      throw new ActionRefusedError(404, 'not found');
    }
    if (!isRead) {
      response.setHeader('Allow', 'GET, HEAD, POST');
      return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    if (serveViewerAsset(path, response, { echartsPath })) return;
    switch (path) {
      case '/':
      case '/index.html':
        return send(response, 200, 'text/html; charset=utf-8', listPage);
      case '/console.js':
        return send(response, 200, 'text/javascript; charset=utf-8', CONSOLE_SCRIPT);
      case '/api/runs':
        return sendJson(response, 200, { runs: store.listRuns({ limit: 200 }) });
      case '/events/runs': {
        const stream = openEventStream(response);
        stream.onClose(watcher.watchRuns((runs) => stream.send('runs', { runs })));
        return;
      }
    }
    if (segments.length === 2 && segments[0] === 'runs') return send(response, 200, 'text/html; charset=utf-8', page);
    if (segments.length === 3 && segments[0] === 'api' && segments[1] === 'runs') {
      const runId = segments[2]!;
      if (!store.getRun(runId)) return sendJson(response, 404, { error: `no run ${runId} in ${storeFile}` });
      let message: RunMessage | undefined;
      watcher.watchRun(runId, (update) => (message ??= messageOf(runId, update)))();
      return sendJson(response, 200, message);
    }
    if (segments.length === 3 && segments[0] === 'events' && segments[1] === 'runs') {
      const runId = segments[2]!;
      if (!store.getRun(runId)) return sendJson(response, 404, { error: `no run ${runId} in ${storeFile}` });
      const stream = openEventStream(response);
      stream.onClose(watcher.watchRun(runId, (update) => stream.send('run', messageOf(runId, update))));
      return;
    }
    return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const status = error instanceof ActionRefusedError ? error.httpStatus : 500;
      sendJson(response, status, { error: error instanceof Error ? error.message : String(error) });
    });
  });

  const listening = await listenLocally(server, host, port);
  origins = listening.origins;
  return {
    url: listening.url,
    runUrl: (runId) => new URL(`runs/${encodeURIComponent(runId)}`, listening.url).href,
    async close() {
      watcher.close();
      actions.close();
      await listening.close();
    },
  };
}

/** The body of an answer to a wait: which wait (its name, and its key when several of that name are pending), and the value. */
const AnswerBody = z.object({ name: z.string().min(1), key: z.string().min(1).optional(), value: z.unknown() });

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new ActionRefusedError(400, `a malformed path segment: ${segment}`, { cause: error });
  }
}
