import { Option } from 'commander';
import { InputError } from '../core/errors.js';

/** The environment variable every braid command reads the Redis URL from. */
export const REDIS_URL_VARIABLE = 'BRAID_REDIS_URL';

/**
 * `--redis [url]`: a URL, or bare to read it from BRAID_REDIS_URL, which keeps the password off the
 * command line (where `ps` shows it) and out of the command recorded for `braid resume`.
 */
export function redisOption(description: string): Option {
  return new Option('--redis [url]', `${description}; bare: the URL in ${REDIS_URL_VARIABLE} (the way to pass a password)`);
}

/** The URL a `--redis` flag stands for: its own, or BRAID_REDIS_URL's when bare. */
export function redisUrlOf(flag: string | true, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== true) return flag;
  const url = env[REDIS_URL_VARIABLE];
  if (url === undefined || url === '') throw new InputError(`--redis without a URL reads ${REDIS_URL_VARIABLE}, which is not set: export ${REDIS_URL_VARIABLE}=rediss://braid:PASSWORD@host:6379`);
  return url;
}

/** The command line as recorded with a batch: without `--run-id`, `--resume` and `--redis` (and their values). */
export function recordedCommand(argv: readonly string[]): string[] {
  const recorded: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    const flag = argument.split('=')[0]!;
    if (flag === '--run-id' || flag === '--resume' || flag === '--redis') {
      // `--redis` takes its value only when one follows that is not a flag; the others always do
      const next = argv[index + 1];
      const takesValue = flag === '--redis' ? next !== undefined && /^rediss?:\/\//.test(next) : true;
      if (!argument.includes('=') && takesValue) index += 1;
      continue;
    }
    recorded.push(argument);
  }
  return recorded;
}
