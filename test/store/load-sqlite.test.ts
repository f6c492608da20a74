import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { REPOSITORY_ROOT } from '../support/run-cli.js';

test("opening a run store from the library prints no SQLite ExperimentalWarning, and other warnings still print", () => {
  const script = [
    "import { openRunStore } from './src/index.ts';",
    "openRunStore(':memory:').close();",
    "process.emitWarning('still here', 'ExperimentalWarning');",
  ].join('\n');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPOSITORY_ROOT, encoding: 'utf8' });

  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).not.toMatch(/SQLite/);
  expect(result.stderr).toMatch(/ExperimentalWarning: still here/);
});
