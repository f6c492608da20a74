import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { expect, onTestFinished, test, vi } from 'vitest';
import { useSharedFakeProvider } from '../support/shared-fake-provider.js';
import { makeTempDirectory, runCli, startCli, stderrLines } from '../support/run-cli.js';

const fake = useSharedFakeProvider();

/** A small tmpfs of our own, so the test can fill a disk for real; undefined where the machine does not allow mounts. */
function mountSmallDisk(): string | undefined {
  const directory = join(makeTempDirectory('braid-disk-'), 'disk');
  mkdirSync(directory);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', directory], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  onTestFinished(() => {
    execFileSync('umount', ['-l', directory], { stdio: 'ignore' });
  });
  return directory;
}

/** Writes until the disk says it is full; returns the filler, whose removal gives the space back. */
function fillDisk(directory: string): string {
  const filler = join(directory, 'filler');
  const descriptor = openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(descriptor, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(descriptor);
  }
  return filler;
}

test('a full disk mid-run keeps the paid answers: every result is printed, one line says the journal is not durable, exit 1; with space back the run resumes', async (context) => {
  const disk = mountSmallDisk();
  // without a mount, there is no honest way to fill a disk here; say so rather than pass
  if (!disk) return context.skip('this machine does not allow mounting a tmpfs (needs root)');
  const home = makeTempDirectory();
  const store = join(disk, 'runs.db');
  const batch = join(home, 'queries.txt');
  writeFileSync(batch, Array.from({ length: 12 }, (_, index) => `query number ${index}`).join('\n'));
  const env = { OPENAI_API_KEY: 'sk-test', BRAID_HOME: home };

  // the answers take a moment, so the disk can fill between the run's start and its first journal write
  fake.server.configure({ latencyMs: 300 });
  const running = startCli(['route', '--batch', batch, '--store', store, '--run-id', 'full', '--concurrency', '2', ...fake.openaiArgs()], { env });
  await vi.waitFor(() => expect(fake.server.stats().requests).toBeGreaterThan(0), { timeout: 20_000, interval: 10 });
  const filler = fillDisk(disk);

  const result = await running.result;
  expect(result.code).toBe(1);
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { query: string; intent?: string; error?: string });
  expect(lines.map((line) => line.query)).toEqual(Array.from({ length: 12 }, (_, index) => `query number ${index}`));
  expect(lines.every((line) => line.intent !== undefined && line.error === undefined)).toBe(true);
  expect(stderrLines(result).filter((line) => /journal is not durable/.test(line))).toEqual([
    expect.stringMatching(/^braid: the journal is not durable: \d+ results could not be written \(.*full.*\); a resume would pay for them again$/),
  ]);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace

  rmSync(filler);
  fake.server.configure({ latencyMs: 0 });
  const listed = JSON.parse((await runCli(['runs', '--json', '--store', store], { env })).stdout) as { id: string; status: string }[];
  expect(listed.find((run) => run.id === 'full')?.status).toMatch(/interrupted|failed/);
  const resumed = await runCli(['resume', 'full', '--store', store], { env });
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stdout.trim().split('\n')).toHaveLength(12);
});
