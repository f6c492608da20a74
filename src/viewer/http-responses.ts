import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';

// model text never reaches a page as markup: the data comes as JSON from its own endpoint and the
// scripts write it with textContent; this policy stops anything that slips through anyway
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

/** The headers every answer of the viewer and the console carries. */
export function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Cache-Control', 'no-store');
}

/** Sends a whole body (none for HEAD). */
export function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  setSecurityHeaders(response);
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** Streams a file from disk, e.g. the chart library. */
export function sendFile(response: ServerResponse, path: string, contentType: string): void {
  setSecurityHeaders(response);
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
