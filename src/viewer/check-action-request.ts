import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ActionRefusedError } from './action-refused-error.js';

/** The header a console page sends its session token in. A custom header also makes any cross-origin fetch need a preflight, which the console never grants. */
export const TOKEN_HEADER = 'x-braid-token';

/** The most a POST body may hold: an answer to a wait is a small JSON value. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Refuses (throws `ActionRefusedError`) a POST that did not come from one of the console's own
 * pages: another origin (a page on any other site or port, which a browser names in `Origin`
 * and `Sec-Fetch-Site`), a missing or wrong session token (which only the console's pages carry),
 * or a body that is not JSON. The Host header was checked before (DNS rebinding).
 */
export function checkActionRequest(request: IncomingMessage, { token, origins }: { token: string; origins: ReadonlySet<string> }): void {
  const origin = request.headers.origin;
  if (origin !== undefined && !origins.has(origin)) throw new ActionRefusedError(403, `refused: a request from another origin (${origin})`);
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') throw new ActionRefusedError(403, `refused: a ${site} request`);
  const sent = request.headers[TOKEN_HEADER];
  if (typeof sent !== 'string' || !isSameText(sent, token)) throw new ActionRefusedError(403, 'refused: no valid session token (reload the console page)');
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new ActionRefusedError(415, 'refused: the body must be application/json');
}

/** Reads a POST body as JSON, up to a small size. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ActionRefusedError(413, `refused: the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ActionRefusedError(400, `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Compared in constant time: the token must not leak through how long a refusal takes. */
function isSameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
