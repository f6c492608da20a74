import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startRedisServer, type RedisServer } from '../distributed/support/start-redis-server.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory, REPOSITORY_ROOT } from '../support/run-cli.js';

// Every TypeScript block of the README, written out as a file, type-checked against braid's source
// (as `braid`, `braid/apps`, `braid/distributed`) and run against the fake provider: the README
// is how users meet the library, so it must be true to the letter.
const README = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
const BLOCKS = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((match, index) => ({
  name: `example-${index + 1}.ts`,
  line: README.slice(0, match.index).split('\n').length,
  source: match[1]!,
}));
// inside the repository, so the examples resolve zod, ai and the rest from its node_modules
const DIRECTORY = join(REPOSITORY_ROOT, 'test', '.readme-examples');
const TSCONFIG = join(DIRECTORY, 'tsconfig.json');

beforeAll(() => {
  rmSync(DIRECTORY, { recursive: true, force: true });
  mkdirSync(DIRECTORY, { recursive: true });
  for (const block of BLOCKS) writeFileSync(join(DIRECTORY, block.name), `// README.md line ${block.line}\n${block.source}`);
  writeFileSync(
    TSCONFIG,
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: {
        noEmit: true,
        paths: { braid: ['../../src/index.ts'], 'braid/apps': ['../../src/workflows/index.ts'], 'braid/distributed': ['../../src/distributed/index.ts'] },
      },
      include: ['./*.ts'],
    }),
  );
});
afterAll(() => rmSync(DIRECTORY, { recursive: true, force: true }));

async function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd: REPOSITORY_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

test('the README has TypeScript examples', () => {
  expect(BLOCKS.length).toBeGreaterThanOrEqual(3);
});

test('every TypeScript block of the README type-checks against braid', async () => {
  const { code, output } = await run(process.execPath, [join(REPOSITORY_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', TSCONFIG]);
  expect(output).toBe('');
  expect(code).toBe(0);
}, 180_000); // one tsc over the examples and all of braid's source: tens of seconds on a busy machine

describe('every TypeScript block of the README runs', () => {
  let server: FakeProvider;
  let redis: RedisServer;
  beforeAll(async () => {
    server = await startFakeProvider({ seed: 7 });
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await server?.close();
    await redis?.close();
  });

  for (const block of BLOCKS) {
    test(`${block.name} (README.md line ${block.line})`, async () => {
      const before = server.stats().requests;
      const { code, output } = await run(process.execPath, ['--no-warnings', '--import', 'tsx', join(DIRECTORY, block.name)], {
        TSX_TSCONFIG_PATH: TSCONFIG,
        // every provider's SDK, pointed at the fake (it routes by path), with keys that only it accepts
        BRAID_BASE_URL: `${server.url}/v1`,
        GOOGLE_GENERATIVE_AI_API_KEY: 'test-google',
        OPENAI_API_KEY: 'sk-test',
        ANTHROPIC_API_KEY: 'test-anthropic',
        BRAID_HOME: makeTempDirectory('braid-readme-'),
        BRAID_REDIS_URL: redis.url,
      });
      expect(code, output).toBe(0);
      // an example that calls no model proves nothing about the library it shows
      expect(server.stats().requests).toBeGreaterThan(before);
    });
  }
});
