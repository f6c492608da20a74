import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { makeTempDirectory, runCli, type CliResult } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

/** Exit code 2, one `braid:` line naming the path and the flag, nothing on stdout. */
function expectRefused(result: CliResult, path: string, flag: string, reason: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`braid: cannot write ${path} (${flag}): `);
  expect(lines[0]).toMatch(reason);
  expect(result.stdout).toBe('');
}

describe('every output path is checked before the first call', () => {
  test('--out or --trace naming a folder, in every command that takes them: exit code 2 and no call', async () => {
    const folder = makeTempDirectory();
    const labelled = join(makeTempDirectory(), 'labelled.jsonl');
    writeFileSync(labelled, '{"q": "Where is A-12345?", "intent": "General Question", "tasks": []}\n');
    const commands: [string[], string][] = [
      [['faq', '--out', folder], '--out'],
      [['faq', '--per-document', '--out', folder], '--out'],
      [['faq', '--trace', folder], '--trace'],
      [['route', 'hello', '--trace', folder], '--trace'],
      [['route', '--batch', '-', '--trace', folder], '--trace'],
      [['orchestrate', 'Where is A-12345?', '--trace', folder], '--trace'],
      [['eval', 'route', labelled, '--trace', folder], '--trace'],
      [['eval', 'orchestrate', labelled, '--trace', folder], '--trace'],
    ];

    const results = await Promise.all(commands.map(([args]) => runCli([...args, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV, input: 'hello\n' })));

    results.forEach((result, index) => expectRefused(result, folder, commands[index]![1], /it is a folder; give a file name$/));
    expect(fake.server.stats().requests).toBe(0);
  });

  test('--out under a file, or in a folder that does not exist; --trace creates its folders', async () => {
    const directory = makeTempDirectory();
    const file = join(directory, 'notes.txt');
    writeFileSync(file, 'a file');

    const [underFile, missingFolder, traced] = await Promise.all([
      runCli(['faq', '--out', join(file, 'faq.md'), ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
      runCli(['faq', '--out', join(directory, 'missing', 'faq.md'), ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
      runCli(['route', 'hello', '--trace', join(directory, 'traces', 'today', 'run.jsonl'), ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
    ]);

    expectRefused(underFile, join(file, 'faq.md'), '--out', /a part of the path is a file, not a folder$/);
    expectRefused(missingFolder, join(directory, 'missing', 'faq.md'), '--out', /its folder does not exist$/);
    expect(traced.code, traced.stderr).toBe(0);
    expect(readFileSync(join(directory, 'traces', 'today', 'run.jsonl'), 'utf8')).toMatch(/"kind":"step"/);
  });

  test.skipIf(process.getuid?.() === 0)('an --out file without write permission (not shown as root, who may write anywhere)', async () => {
    const directory = makeTempDirectory();
    const out = join(directory, 'faq.md');
    writeFileSync(out, '');
    chmodSync(out, 0o444);

    expectRefused(await runCli(['faq', '--out', out, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }), out, '--out', /permission denied$/);
    expect(fake.server.stats().requests).toBe(0);
  });

  test('braid retry of a run whose --out has since become a folder: exit code 2 before any call', async () => {
    const directory = makeTempDirectory();
    const out = join(directory, 'faq.md');
    const store = join(directory, 'runs.db');
    fake.server.configure({ rules: [{ match: 'Answer this question', status: 400 }] });
    const first = await runCli(['faq', '--questions', '2', '--out', out, '--run-id', 'later', '--store', store, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
    expect(first.code, first.stderr).toBe(1); // the answers failed: retry has work to do
    rmSync(out);
    mkdirSync(out);
    fake.server.reset();

    const retried = await runCli(['retry', 'later', '--store', store], { env: OPENAI_TEST_ENV });

    expectRefused(retried, out, '--out', /it is a folder; give a file name$/);
    expect(fake.server.stats().requests).toBe(0);
  });
});
