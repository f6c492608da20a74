import { Command, Option } from 'commander';
import { defaultLimitsPath, openLimitsFile } from '../../store/limits-file.js';
import { EXIT } from '../exit-codes.js';
import { formatLimitsTable } from '../format-limits.js';
import { reportError } from '../report-error.js';

interface LimitsFlags {
  json?: boolean;
  forget?: boolean;
  redis?: string;
  verbose?: boolean;
}

/** `braid limits`: what braid has learned about each provider's limits, from where, and when. */
export function limitsCommand(): Command {
  return new Command('limits')
    .description("show the provider limits braid has learned (rate headers, 429 bodies, measured 429s), where each came from and when")
    .argument('[model]', 'one provider:model, e.g. openai:gpt-4.1-mini')
    .addOption(new Option('--json', 'print JSON: { path, models: { "<provider:model>": { requests, tokens, exhaustedQuota } } }'))
    .addOption(new Option('--forget', 'forget what is known (about [model], or every model): the next run learns again'))
    .addOption(new Option('--redis <url>', 'show what the workers on this Redis have learned instead').conflicts('forget'))
    .addOption(new Option('--verbose', 'show stack traces on errors'))
    .addHelpText(
      'after',
      `
Without --rpm/--tpm, a run learns its provider's limits from the answers and paces its calls by them; the
next run starts at that pace. --rpm and --tpm always override what was learned. Learned limits are kept in
limits.json in braid's data directory ($BRAID_HOME, default ~/.local/share/braid); workers keep theirs in Redis.

Examples:
  $ braid limits
  $ braid limits openai:gpt-4.1-mini --json
  $ braid limits --redis redis://10.0.0.5:6379         # what the workers learned together
  $ braid limits google:gemini-2.5-flash --forget   # after a tier upgrade, say`,
    )
    .action(async (modelKey: string | undefined, flags: LimitsFlags) => {
      const file = openLimitsFile(defaultLimitsPath());
      let all = file.list();
      if (flags.redis !== undefined) {
        try {
          // ioredis loads only for --redis
          all = await (await import('../limits-on-redis.js')).readLimitsOnRedis(flags.redis);
        } catch (error) {
          process.exitCode = reportError(error, { verbose: flags.verbose });
          return;
        }
      } else if (flags.forget) {
        const isForgotten = file.forget(modelKey);
        process.stderr.write(isForgotten ? `braid: forgot the limits of ${modelKey ?? 'every model'}\n` : `braid: nothing known about ${modelKey ?? 'any model'}\n`);
        return;
      }
      const known = modelKey === undefined ? undefined : all[modelKey];
      if (modelKey !== undefined && known === undefined) {
        process.stderr.write(`braid: nothing learned about ${modelKey} yet (known: ${Object.keys(all).join(', ') || 'none'})\n`);
        process.exitCode = EXIT.failed;
        return;
      }
      const models = modelKey === undefined || known === undefined ? all : { [modelKey]: known };
      const where = flags.redis === undefined ? { path: file.path } : { redis: flags.redis };
      process.stdout.write(flags.json ? `${JSON.stringify({ ...where, models }, null, 2)}\n` : formatLimitsTable(models));
    });
}
