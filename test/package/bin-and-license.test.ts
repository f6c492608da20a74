import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPOSITORY_ROOT } from '../support/run-cli.js';

const { version } = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { version: string };

test('npx braid works in the clone after npm install, with no build step', () => {
  // dist/ is not needed: in a clone the bin runs the source
  const result = spawnSync('npx', ['--offline', 'braid', '--version'], { cwd: REPOSITORY_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });

  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout.trim()).toBe(version);
});

test('the package ships an MIT LICENSE and the braid bin', () => {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const [packed] = JSON.parse(result.stdout) as { files: { path: string }[] }[];
  const files = packed!.files.map((file) => file.path);

  expect(files).toContain('LICENSE');
  expect(files).toContain('bin/braid.js');
  expect(readFileSync(join(REPOSITORY_ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 braid contributors\n/);
});
