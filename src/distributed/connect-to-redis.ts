import { Redis } from 'ioredis';
import { RedisAuthError, RedisUnreachableError } from './distributed-errors.js';
import { describeRedisUrl, maskRedisPassword, redisOptionsFromUrl } from './redis-connection-options.js';

/** How long braid tries to reach Redis at start before it gives up. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectToRedisOptions {
  /** Gives up if Redis has not answered this long after the first try. @default 10_000 */
  connectTimeoutMs?: number;
  /** Shown by `CLIENT LIST`, to see which braid process a connection is. */
  connectionName?: string;
  /** Stops trying: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Errors once connected (Redis restarting, a dropped socket): the client reconnects on its own and
   * its commands wait meanwhile. Never holds the password: messages are masked.
   * @default ignored
   */
  onError?: (error: Error) => void;
}

/**
 * An ioredis client that is connected and authenticated, or a typed error: `RedisAuthError` at once
 * when Redis refuses the credentials (retrying cannot fix a password), `RedisUnreachableError` when
 * Redis has not answered within `connectTimeoutMs`. Every later error goes to `onError`, so none is
 * printed by ioredis itself (its own report shows the AUTH command with the password).
 *
 * @example
 * const redis = await connectToRedis(process.env.BRAID_REDIS_URL!, { onError: (error) => console.error(error.message) });
 */
export async function connectToRedis(
  url: string,
  { connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, connectionName, signal, onError = () => {} }: ConnectToRedisOptions = {},
): Promise<Redis> {
  const options = redisOptionsFromUrl(url);
  signal?.throwIfAborted();
  const where = describeRedisUrl(url);
  const redis = new Redis({ ...options, ...(connectionName === undefined ? {} : { connectionName }) });
  return new Promise<Redis>((resolve, reject) => {
    let lastError = 'no answer';
    const fail = (error: unknown): void => {
      cleanup();
      redis.disconnect(); // stops the reconnect loop; nothing was sent but the handshake
      reject(error);
    };
    const onConnectError = (error: Error): void => {
      const reply = authReplyOf(error);
      if (reply !== undefined) {
        fail(new RedisAuthError(where, reply, { cause: maskedError(error, url) }));
        return;
      }
      lastError = maskRedisPassword(error.message, url);
    };
    const onReady = (): void => {
      cleanup();
      redis.on('error', (error: Error) => onError(maskedError(error, url)));
      resolve(redis);
    };
    const onAbort = (): void => fail(signal?.reason);
    const timer = setTimeout(() => fail(new RedisUnreachableError(where, connectTimeoutMs, lastError, { cause: lastError })), connectTimeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      redis.off('error', onConnectError);
      redis.off('ready', onReady);
      signal?.removeEventListener('abort', onAbort);
    };
    // in the tick the client was made: it connects on the next one
    redis.on('error', onConnectError);
    redis.once('ready', onReady);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `WRONGPASS` or `NOAUTH` when Redis refused the credentials; undefined for any other error. */
export function authReplyOf(error: unknown): 'WRONGPASS' | 'NOAUTH' | undefined {
  const message = error instanceof Error ? error.message : '';
  if (message.startsWith('WRONGPASS')) return 'WRONGPASS';
  if (message.startsWith('NOAUTH')) return 'NOAUTH';
  return undefined;
}

/**
 * The error as a plain `Error` with the password masked in its message: ioredis' reply errors carry
 * the command that failed (for AUTH, the password) in a field that `console.error` would print.
 */
export function maskedError(error: unknown, url: string): Error {
  const message = maskRedisPassword(error instanceof Error ? error.message : String(error), url);
  const masked = new Error(message);
  masked.name = error instanceof Error ? error.name : 'Error';
  return masked;
}
