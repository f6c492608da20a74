import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NODE_LLAMA_CPP_VERSION } from '../../src/providers/local/load-node-llama-cpp.js';
import { buildPackage, typeCheckAgainstPackage, type BuiltPackage } from '../support/built-package.js';
import { REPOSITORY_ROOT } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';
import { testModelFile } from '../support/test-model-file.js';

const run = promisify(execFile);
const fake = useSharedFakeProvider();

// braid as a cloud-only user installs it: built, without the optional local engine, and
// without echarts (a devDependency now: the build ships the one file of it the viewer serves)
let built: BuiltPackage;
beforeAll(async () => {
  built = await buildPackage({ without: ['node-llama-cpp', '@node-llama-cpp', 'echarts', 'zrender'] });
}, 240_000);
afterAll(() => built?.remove());

/** Runs a child with the given env only (plus PATH): no key or model setting of this process leaks in. */
async function node(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, args, {
    cwd: built.root,
    env: { PATH: process.env.PATH ?? '', HOME: built.root, BRAID_HOME: join(built.root, '.braid'), BRAID_OFFLINE: '1', ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('the published types', () => {
  test('type-check in a consumer without skipLibCheck, and never name node-llama-cpp', { timeout: 240_000 }, async () => {
    const consumer = `
import { createLocalEngine, createModel, createRuntime, LocalEngineNotInstalledError, type LocalEngineOptions, type LocalGpu } from 'braid';
import { startWorker, type StartWorkerOptions } from 'braid/distributed';
import { z } from 'zod';

const gpu: LocalGpu = false;
const options: LocalEngineOptions = { gpu, sequences: 2 };
const engine = createLocalEngine(options);
const braid = createRuntime({ model: createModel('local', { local: engine }) });
const value: { city: string } = await braid.step({ name: 'city', prompt: 'A city', schema: z.object({ city: z.string() }) });
console.log(value.city, LocalEngineNotInstalledError.name);
const workerOptions: Pick<StartWorkerOptions, 'connection'> = { connection: 'redis://127.0.0.1:6379' };
console.log(typeof startWorker, workerOptions);
`;
    // one tsc run (it checks every declaration file the program reaches): a clean consumer, and a wrong one that proves the check can fail
    const wrong = "import { createLocalEngine } from 'braid';\ncreateLocalEngine({ gpu: 'rocm' });\n";
    const diagnostics = await typeCheckAgainstPackage(built, { 'consumer.ts': consumer, 'wrong.ts': wrong });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatch(/^wrong\.ts\(2,\d+\): error TS2322: Type '"rocm"' is not assignable to type 'LocalGpu/);

    const declarations = (await readdir(join(built.packageDirectory, 'dist'), { recursive: true })).filter((file) => file.endsWith('.d.ts'));
    expect(declarations).toContain('index.d.ts');
    for (const file of declarations) {
      expect(await readFile(join(built.packageDirectory, 'dist', file), 'utf8'), file).not.toMatch(/from ['"]node-llama-cpp['"]/);
    }
  });
});

describe('without node-llama-cpp installed', () => {
  test("import 'braid' works and a cloud model runs; the local engine says how to install itself", async () => {
    await writeFile(
      join(built.root, 'use-braid.mjs'),
      `import { createLocalEngine, createModel, createRuntime, LocalEngineNotInstalledError } from 'braid';
const braid = createRuntime({ model: createModel('openai:gpt-4.1-mini', { baseURL: process.env.FAKE_URL, env: { OPENAI_API_KEY: 'sk-test' } }) });
console.log(JSON.stringify({ cloud: typeof (await braid.step({ name: 'hello', prompt: 'Say hello' })) }));
const engine = createLocalEngine({ env: { BRAID_LOCAL_MODEL: process.env.MODEL } });
const error = await engine.load().catch((caught) => caught);
console.log(JSON.stringify({ typed: error instanceof LocalEngineNotInstalledError, message: error.message, command: error.installCommand }));
`,
    );
    const result = await node(['use-braid.mjs'], { FAKE_URL: fake.server.openaiBaseURL, MODEL: testModelFile() });
    expect(result.code, result.stderr).toBe(0);
    const [cloud, local] = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(cloud).toEqual({ cloud: 'string' });
    expect(local).toEqual({
      typed: true,
      message: `the local model needs the optional package node-llama-cpp, which is not installed: run npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`,
      command: `npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`,
    });
  });

  test('the CLI runs cloud models, and --model local is a usage error in one line saying what to install', async () => {
    const cli = join(built.packageDirectory, 'dist', 'cli', 'main.js');
    const cloud = await node([cli, 'route', 'I was charged twice', '--json', '--model', 'openai:gpt-4.1-mini', '--base-url', fake.server.openaiBaseURL], OPENAI_TEST_ENV);
    expect(cloud.code, cloud.stderr).toBe(0);

    const local = await node([cli, 'route', 'I was charged twice', '--model', 'local'], { BRAID_LOCAL_MODEL: testModelFile() });
    expect(local.code).toBe(2);
    expect(local.stdout).toBe('');
    expect(local.stderr).toBe(`braid: the local model needs the optional package node-llama-cpp, which is not installed: run npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION}\n`);
  });
});

test('the viewer serves the ECharts file the package carries', async () => {
  await writeFile(
    join(built.root, 'use-viewer.mjs'),
    `import { startViewer } from 'braid';
const viewer = await startViewer({ spans: [] });
const response = await fetch(new URL('/vendor/echarts.min.js', viewer.url));
const script = await response.text();
console.log(JSON.stringify({ status: response.status, length: script.length, isECharts: script.includes('echarts') }));
await viewer.close();
`,
  );
  const result = await node(['use-viewer.mjs']);
  expect(result.code, result.stderr).toBe(0);
  const served = JSON.parse(result.stdout) as { status: number; length: number; isECharts: boolean };
  expect(served.status).toBe(200);
  expect(served.isECharts).toBe(true);
  expect(served.length).toBeGreaterThan(500_000);
});

test('node-llama-cpp is an optional peer dependency at the tested version, a devDependency of the repository, and npm ci keeps every platform build', async () => {
  const manifest = JSON.parse(await readFile(join(REPOSITORY_ROOT, 'package.json'), 'utf8'));
  expect(manifest.dependencies['node-llama-cpp']).toBeUndefined();
  expect(manifest.peerDependencies['node-llama-cpp']).toBe(NODE_LLAMA_CPP_VERSION);
  expect(manifest.peerDependenciesMeta['node-llama-cpp']).toEqual({ optional: true });
  expect(manifest.devDependencies['node-llama-cpp']).toBe(NODE_LLAMA_CPP_VERSION);
  // npm ci installs what the lock lists: the prebuilt llama.cpp of every platform must stay in it
  const lock = JSON.parse(await readFile(join(REPOSITORY_ROOT, 'package-lock.json'), 'utf8'));
  const engine = lock.packages['node_modules/node-llama-cpp'];
  expect(engine.version).toBe(NODE_LLAMA_CPP_VERSION);
  const builds = Object.keys(engine.optionalDependencies).filter((name) => name.startsWith('@node-llama-cpp/'));
  expect(builds.length).toBeGreaterThanOrEqual(10);
  for (const name of builds) expect(lock.packages[`node_modules/${name}`], name).toMatchObject({ version: NODE_LLAMA_CPP_VERSION, optional: true });
});
