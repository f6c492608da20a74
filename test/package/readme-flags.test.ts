import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPOSITORY_ROOT, runCli } from '../support/run-cli.js';

const README = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');

/** The `--flags` named in the README between two markers. */
function flagsBetween(start: string, end: string): string[] {
  const from = README.indexOf(start);
  const section = README.slice(from, README.indexOf(end, from));
  return [...new Set(section.match(/--[a-z][a-z-]*/g) ?? [])];
}

test("the flags the README says every command shares are in every model command's --help, and --redis only in the batch commands", async () => {
  const shared = flagsBetween('### Flags every command shares', '; the batch modes add');
  expect(shared).toContain('--model');
  const commands = [['faq'], ['route'], ['orchestrate'], ['eval', 'route'], ['eval', 'orchestrate'], ['run']];

  const helps = await Promise.all(commands.map((command) => runCli([...command, '--help'])));

  helps.forEach((help, index) => {
    const command = commands[index]!.join(' ');
    expect(help.code, help.stderr).toBe(0);
    for (const flag of shared) expect(help.stdout, `${command} ${flag}`).toContain(flag);
    expect(help.stdout.includes('--redis'), `${command} --redis`).toBe(command === 'faq' || command === 'route');
  });
});
