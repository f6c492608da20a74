import { InputError } from '../core/errors.js';

/** Reconnect delay after the n-th failed try: quick at first, then every 2 s while Redis is down. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/** Connection settings, in the shape both ioredis and BullMQ take. */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
  maxRetriesPerRequest: null;
  retryStrategy: (times: number) => number;
  connectionName?: string;
}

/**
 * ioredis options from a `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) URL,
 * for every connection braid opens to Redis: BullMQ's and its own.
 *
 * Commands never fail because Redis is briefly away (`maxRetriesPerRequest: null`): they wait in
 * the client's queue and run once it reconnects, so a Redis restart pauses a run instead of failing it.
 *
 * @example
 * const redis = new Redis(redisOptionsFromUrl('redis://10.0.0.5:6379'));
 */
export function redisOptionsFromUrl(url: string): RedisConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new InputError(`--redis needs a URL like redis://127.0.0.1:6379, got "${url}"`, { cause: error });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InputError(`--redis needs a redis:// or rediss:// URL, got "${parsed.protocol}//…"`);
  }
  const database = parsed.pathname.replace(/^\//, '');
  if (database !== '' && !/^\d+$/.test(database)) throw new InputError(`the Redis database in the URL must be a number, got "${database}"`);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(database === '' ? {} : { db: Number(database) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
  };
}

/** The URL without its password, for messages and logs. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'an invalid Redis URL';
  }
}

/** `text` with the URL's password (as written, and decoded) replaced by `***`. */
export function maskRedisPassword(text: string, url: string): string {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    return text;
  }
  if (password === '') return text;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // a malformed escape: mask it as written
  }
  return text.split(password).join('***').split(decoded).join('***');
}
