/**
 * Runs the fake provider as its own process, for CLI tests and benchmarks in child processes:
 *
 *   npx tsx test/fake-provider/main.ts --port 0 --latency 300 --rpm 60 --window-ms 6000
 *
 * Prints one JSON line `{"url": ..., "openaiBaseURL": ..., "geminiBaseURL": ..., "anthropicBaseURL": ...}`
 * once listening; SIGINT/SIGTERM close it. Stats: `GET {url}/__stats`; changes: `POST {url}/__config`.
 */
import { parseArgs } from 'node:util';
import { readJsonConfig, startFakeProvider, type StartFakeProviderOptions } from './fake-provider.js';

const USAGE = `usage: main.ts [--port 0] [--host 127.0.0.1] [--seed 1] [--latency ms] [--latency-per-token ms]
  [--rpm n] [--tpm n] [--window-ms ms] [--max-concurrent n] [--prompt-caching]
  [--signals full|retry-after] [--whole-seconds] [--rpd n] [--day-ms ms]
  [--faults '{"status5xx":0.1}'] [--rules '[{"match":{"regex":"cobalt"},"status":500}]'] [--config '{...}']`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string' },
    latency: { type: 'string' },
    'latency-per-token': { type: 'string' },
    rpm: { type: 'string' },
    tpm: { type: 'string' },
    'window-ms': { type: 'string' },
    'max-concurrent': { type: 'string' },
    'prompt-caching': { type: 'boolean' },
    signals: { type: 'string' },
    'whole-seconds': { type: 'boolean' },
    rpd: { type: 'string' },
    'day-ms': { type: 'string' },
    faults: { type: 'string' },
    rules: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean' },
  },
});

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const toNumber = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) {
    process.stderr.write(`--${flag} needs a number, got '${value}'\n${USAGE}\n`);
    process.exit(2);
  }
  return parsed;
};

const fromJson = readJsonConfig({
  ...(values.config === undefined ? {} : (JSON.parse(values.config) as object)),
  ...(values.faults === undefined ? {} : { faults: JSON.parse(values.faults) as unknown }),
  ...(values.rules === undefined ? {} : { rules: JSON.parse(values.rules) as unknown }),
});
const flags: StartFakeProviderOptions = {
  port: toNumber('port', values.port),
  host: values.host,
  seed: toNumber('seed', values.seed),
  latencyMs: toNumber('latency', values.latency),
  latencyPerTokenMs: toNumber('latency-per-token', values['latency-per-token']),
  rpm: toNumber('rpm', values.rpm),
  tpm: toNumber('tpm', values.tpm),
  windowMs: toNumber('window-ms', values['window-ms']),
  maxConcurrent: toNumber('max-concurrent', values['max-concurrent']),
  promptCaching: values['prompt-caching'],
  rateLimitSignals: values.signals as StartFakeProviderOptions['rateLimitSignals'],
  retryAfterMs: values['whole-seconds'] ? false : undefined,
  rpd: toNumber('rpd', values.rpd),
  dayMs: toNumber('day-ms', values['day-ms']),
};
// flags not given must not override the JSON config with undefined
const options = { ...fromJson, ...Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)) };

const server = await startFakeProvider(options);
process.stdout.write(
  `${JSON.stringify({ url: server.url, openaiBaseURL: server.openaiBaseURL, geminiBaseURL: server.geminiBaseURL, anthropicBaseURL: server.anthropicBaseURL })}\n`,
);

const shutdown = (): void => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
