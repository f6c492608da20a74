import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { MINIMUM_NODE_VERSION, nodeVersionProblem } from '../../src/cli/node-version.js';
import { REPOSITORY_ROOT, runCli } from '../support/run-cli.js';

/** A Node.js older than braid needs, if the machine has one (the system Node 20 beside the project's Node 22). */
function findOldNode(): { path: string; version: string } | undefined {
  const candidates = ['/usr/bin/node', '/usr/local/bin/node', ...(process.env.PATH ?? '').split(':').map((directory) => join(directory, 'node'))];
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
    if (nodeVersionProblem(version) !== undefined) return { path, version };
  }
  return undefined;
}

const oldNode = findOldNode();

describe('the Node.js version check', () => {
  test('names the minimum and the version it runs on', () => {
    expect(nodeVersionProblem('v20.19.2')).toBe(`braid needs Node.js ${MINIMUM_NODE_VERSION} or newer (this is v20.19.2)`);
    expect(nodeVersionProblem('v22.12.0')).toMatch(/needs Node\.js 22\.13/);
    expect(nodeVersionProblem('v22.13.0')).toBeUndefined();
    expect(nodeVersionProblem('v23.1.0')).toBeUndefined();
    expect(nodeVersionProblem('v24.0.0')).toBeUndefined();
  });

  test("its minimum is package.json's engines.node, which npm test's pretest reads", () => {
    const { engines } = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(engines.node).toBe(`>=${MINIMUM_NODE_VERSION}`);
  });

  test('on this Node the CLI runs and the pretest says nothing', async () => {
    const [cli, pretest] = [await runCli(['--version']), spawnSync(process.execPath, ['scripts/check-node-version.mjs'], { cwd: REPOSITORY_ROOT, encoding: 'utf8' })];
    expect(cli.code, cli.stderr).toBe(0);
    expect(pretest.status).toBe(0);
    expect(pretest.stderr).toBe('');
  });

  test.skipIf(oldNode === undefined)(`on an old Node (${oldNode?.version ?? 'none on this machine'}) the CLI says what it needs in one line, exit code 2`, () => {
    const result = spawnSync(oldNode!.path, ['--import', 'tsx', 'src/cli/main.ts', 'runs'], { cwd: REPOSITORY_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });

    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toBe(`braid needs Node.js ${MINIMUM_NODE_VERSION} or newer (this is ${oldNode!.version})\n`);
    expect(result.stdout).toBe('');
  });

  test.skipIf(oldNode === undefined)('on an old Node, npm test says the same first and runs no test', () => {
    // npm runs its scripts with the node found first on PATH: the old one
    const path = `${join(oldNode!.path, '..')}:/usr/bin:/bin`;
    const result = spawnSync('npm', ['test', '--', 'test/cli/node-version.test.ts'], { cwd: REPOSITORY_ROOT, encoding: 'utf8', env: { PATH: path, HOME: process.env.HOME ?? '' } });

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`braid needs Node.js ${MINIMUM_NODE_VERSION} or newer (this is ${oldNode!.version})`);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/vitest|RUN/);
  });
});
