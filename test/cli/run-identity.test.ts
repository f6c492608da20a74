import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, vi } from 'vitest';
import { useSharedFakeProvider } from '../support/shared-fake-provider.js';
import { makeTempDirectory, runCli, startCli, stderrLines } from '../support/run-cli.js';

const fake = useSharedFakeProvider();

function setUp() {
  const home = makeTempDirectory();
  const env = { OPENAI_API_KEY: 'sk-test', BRAID_HOME: home };
  const birds = join(home, 'birds.md');
  const solar = join(home, 'solar.md');
  writeFileSync(birds, '# European birds\n\nThe robin sings in winter. The swift sleeps on the wing.\n');
  writeFileSync(solar, '# Solar electricity\n\nPanels turn light into current. Inverters make it alternating.\n');
  return { env, birds, solar };
}

test('--run-id reused over other documents is refused before any call, naming what differs', async () => {
  const { env, birds, solar } = setUp();
  const first = await runCli(['faq', birds, '-q', '2', '--json', '--run-id', 'nightly', ...fake.openaiArgs()], { env });
  expect(first.code, first.stderr).toBe(0);
  const calls = fake.server.stats().requests;

  const other = await runCli(['faq', solar, '-q', '2', '--json', '--run-id', 'nightly', ...fake.openaiArgs()], { env });
  expect(other.code).toBe(2);
  expect(stderrLines(other)).toEqual([expect.stringMatching(/^braid: run nightly was started with other documents; a run id names one run, not a cache/)]);
  expect(other.stdout).toBe('');
  expect(fake.server.stats().requests).toBe(calls);

  const moreQuestions = await runCli(['faq', birds, '-q', '3', '--json', '--resume', 'nightly', ...fake.openaiArgs()], { env });
  expect(moreQuestions.code).toBe(2);
  expect(moreQuestions.stderr).toMatch(/questions 2 \(this is 3\)/);
  expect(fake.server.stats().requests).toBe(calls);
});

test('braid route --resume of a FAQ run is refused before any call', async () => {
  const { env, birds } = setUp();
  const faq = await runCli(['faq', birds, '-q', '2', '--json', '--run-id', 'a-faq-run', ...fake.openaiArgs()], { env });
  expect(faq.code, faq.stderr).toBe(0);
  const calls = fake.server.stats().requests;

  const routed = await runCli(['route', 'hello', '--resume', 'a-faq-run', ...fake.openaiArgs()], { env });
  expect(routed.code).toBe(2);
  expect(routed.stderr).toMatch(/run a-faq-run was started with workflow "faq" \(this is "route"\)/);
  expect(fake.server.stats().requests).toBe(calls);
});

test('a second braid resume of a run that is still going is refused, and makes no call', async () => {
  const { env, birds } = setUp();
  // the run's first call never answers: it is alive, holding its lease, for as long as the test needs
  fake.server.configure({ rules: [{ match: /distinct questions/, fault: 'hang' }] });
  const running = startCli(['faq', birds, '-q', '3', '--json', '--run-id', 'live', ...fake.openaiArgs()], { env });
  await vi.waitFor(() => expect(fake.server.stats().requests).toBe(1), { timeout: 20_000, interval: 20 });

  const second = await runCli(['resume', 'live'], { env });
  expect(second.code).toBe(2);
  expect(stderrLines(second)).toEqual([expect.stringMatching(/^braid: run live is running right now in process \d+ on /)]);
  expect(fake.server.stats().requests).toBe(1);

  running.child.kill('SIGINT');
  expect((await running.result).code).toBe(130);
});

test('braid resume of a finished run replays it with no call', async () => {
  const { env, birds } = setUp();
  const first = await runCli(['faq', birds, '-q', '2', '--json', '--run-id', 'finished', ...fake.openaiArgs()], { env });
  expect(first.code, first.stderr).toBe(0);
  const calls = fake.server.stats().requests;
  const again = await runCli(['resume', 'finished'], { env });
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout).faqs).toEqual(JSON.parse(first.stdout).faqs);
  expect(fake.server.stats().requests).toBe(calls);
});

test('a run resumed twice keeps the command that started it', async () => {
  const { env, birds } = setUp();
  const first = await runCli(['faq', birds, '-q', '2', '--json', '--run-id', 'twice', ...fake.openaiArgs()], { env });
  expect(first.code, first.stderr).toBe(0);
  for (const attempt of [1, 2]) {
    const again = await runCli(['resume', 'twice'], { env });
    expect(again.code, `resume ${attempt}: ${again.stderr}`).toBe(0);
  }
  const runs = JSON.parse((await runCli(['runs', '--json'], { env })).stdout) as { id: string; command: string[] }[];
  expect(runs.find((run) => run.id === 'twice')?.command.slice(0, 2)).toEqual(['faq', birds]);
});
