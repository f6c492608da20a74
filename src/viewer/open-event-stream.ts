import type { ServerResponse } from 'node:http';
import { setSecurityHeaders } from './http-responses.js';

export interface EventStream {
  /** Sends one event; `data` goes as one line of JSON. */
  send(event: string, data: unknown): void;
  /** Called once, when the browser goes away or the server closes. */
  onClose(listener: () => void): void;
}

/** How often an idle stream sends a comment, so proxies and the browser keep it open. */
const HEARTBEAT_MS = 15_000;

/**
 * Turns a response into a server-sent event stream (what the browser's `EventSource` reads). The
 * browser reconnects on its own after a drop, a second later.
 */
export function openEventStream(response: ServerResponse): EventStream {
  setSecurityHeaders(response);
  response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
  response.write('retry: 1000\n\n');
  const heartbeat = setInterval(() => response.write(': still here\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const listeners: (() => void)[] = [];
  response.once('close', () => {
    clearInterval(heartbeat);
    for (const listener of listeners) listener();
  });
  return {
    send(event, data) {
      if (response.writableEnded || response.destroyed) return;
      // JSON.stringify writes no raw newline, so the payload is one data line
      response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(listener) {
      listeners.push(listener);
    },
  };
}
