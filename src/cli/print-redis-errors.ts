import { describeRedisUrl, maskRedisPassword } from '../distributed/redis-connection-options.js';

/** Messages of a Redis that is away: the clients reconnect on their own, so it is a wait, not a failure. */
const AWAY = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|Connection is closed/;

/**
 * A handler for Redis errors once connected that prints each one as one line naming the URL with
 * its password masked, and says a repeat of the same error only once: an outage retries every
 * couple of seconds, and each retry fails the same way.
 */
export function printRedisErrors(url: string, stream: NodeJS.WritableStream = process.stderr): (error: Error) => void {
  let last = '';
  return (error) => {
    const message = maskRedisPassword(error.message, url);
    if (message === last) return;
    last = message;
    stream.write(`braid: Redis at ${describeRedisUrl(url)}: ${message}${AWAY.test(message) ? ' (reconnecting; the work waits for it)' : ''}\n`);
  };
}
