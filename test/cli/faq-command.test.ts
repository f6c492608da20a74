import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { makeTempDirectory, PROGRESS_ESCAPES, runCli, stderrLines } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

const SAMPLE_TITLES = ['The Benefits of Solar Energy', 'Energy Storage Solutions', 'Understanding Wind Turbines'];

const Faq = z.object({ question: z.string().min(1), answer: z.string().min(1), sources: z.array(z.string()).min(1) });
const Summary = z.object({
  runId: z.string(),
  wallMs: z.number(),
  criticalPathMs: z.number(),
  calls: z.number().int(),
  retries: z.number().int(),
  rateLimited: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number(),
});
const FaqOutput = z.object({ faqs: z.array(Faq), summary: Summary });
const PerDocumentOutput = z.object({
  documents: z.array(z.object({ file: z.string(), title: z.string().optional(), error: z.string().optional(), faqs: z.array(Faq) })),
  summary: Summary,
});

function expectSourcesAmong(faqs: readonly z.infer<typeof Faq>[], titles: readonly string[]): void {
  for (const faq of faqs) for (const source of faq.sources) expect(titles).toContain(source);
}

/** The prompts of the requests that reached the fake and contain `text`. */
function promptsWith(text: string): string[] {
  return fake.server.stats().timeline.map((entry) => entry.prompt).filter((prompt) => prompt.includes(text));
}

describe('one FAQ over the bundled samples', () => {
  test('--questions 3 --json gives exactly 3 FAQs citing only the sample titles, and a summary', async () => {
    const result = await runCli(['faq', '--questions', '3', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    const output = FaqOutput.parse(JSON.parse(result.stdout));
    expect(output.faqs).toHaveLength(3);
    expectSourcesAmong(output.faqs, SAMPLE_TITLES);
    expect(output.summary.calls).toBe(fake.server.stats().requests);
    expect(output.summary.inputTokens).toBeGreaterThan(0);
    // no paths: the three samples, each under its first heading
    const [questionsPrompt] = promptsWith('Write exactly 3 distinct questions');
    for (const title of SAMPLE_TITLES) expect(questionsPrompt).toContain(`<document title="${title}">`);
    // stdout is a pipe: no progress line may be drawn on stderr
    expect(result.stderr).not.toMatch(PROGRESS_ESCAPES);
    expect(stderrLines(result)).toEqual([]);
  });

  test('too few questions at first are topped up to exactly N, without repeats', async () => {
    fake.server.configure({ rules: [{ match: 'Write exactly 3 distinct questions', json: { questions: ['What is solar energy?'] }, times: 1 }] });

    const result = await runCli(['faq', '--questions', '3', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    const { faqs } = FaqOutput.parse(JSON.parse(result.stdout));
    expect(faqs).toHaveLength(3);
    expect(faqs[0]!.question).toBe('What is solar energy?');
    expect(new Set(faqs.map((faq) => faq.question.toLowerCase())).size).toBe(3);
    // the second round asked only for the missing two, naming the one it already had
    const [topUp] = promptsWith('Write exactly 2 distinct questions');
    expect(topUp).toContain('Do not repeat any of these questions:\n- What is solar energy?');
  });

  test('too many questions are trimmed to exactly N', async () => {
    const offered = ['What is PV?', 'How do turbines work?', 'Why store energy?', 'What is a nacelle?', 'What is pumped hydro?'];
    fake.server.configure({ rules: [{ match: 'Write exactly 3 distinct questions', json: { questions: offered } }] });

    const result = await runCli(['faq', '--questions', '3', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    const { faqs } = FaqOutput.parse(JSON.parse(result.stdout));
    expect(faqs.map((faq) => faq.question)).toEqual(offered.slice(0, 3));
    expect(promptsWith('Answer this question')).toHaveLength(3); // the extras were never answered
  });

  test('--mode chain gives exactly N, one call at a time', async () => {
    const result = await runCli(['faq', '--questions', '3', '--mode', 'chain', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    const { faqs } = FaqOutput.parse(JSON.parse(result.stdout));
    expect(faqs).toHaveLength(3);
    expectSourcesAmong(faqs, SAMPLE_TITLES);
    expect(fake.server.stats().maxConcurrent).toBe(1);
  });

  test('--mode single makes one call and still gives exactly N, repairing a short answer', async () => {
    const short = { faqs: [{ question: 'What is solar energy?', answer: 'Power from sunlight.', sources: ['The Benefits of Solar Energy'] }] };
    fake.server.configure({ rules: [{ match: 'Write a FAQ of exactly 4 entries', json: short, times: 1 }] });

    const result = await runCli(['faq', '--questions', '4', '--mode', 'single', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    const { faqs } = FaqOutput.parse(JSON.parse(result.stdout));
    expect(faqs).toHaveLength(4);
    expectSourcesAmong(faqs, SAMPLE_TITLES);
    expect(promptsWith('Write a FAQ of exactly 4 entries')).toHaveLength(2); // the one prompt, then its repair
  });

  test('--out writes the result to the file and nothing to stdout', async () => {
    const out = join(makeTempDirectory(), 'faq.json');

    const result = await runCli(['faq', '--questions', '2', '--json', '--out', out, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(stderrLines(result)).toEqual([`braid: wrote ${out}`]);
    expect(FaqOutput.parse(JSON.parse(readFileSync(out, 'utf8'))).faqs).toHaveLength(2);
  });

  test('without --json it prints Markdown with N numbered questions and their sources', async () => {
    const result = await runCli(['faq', '--questions', '2', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.startsWith('# FAQ\n')).toBe(true);
    expect(result.stdout.match(/^## \d+\. /gm)).toEqual(['## 1. ', '## 2. ']);
    expect(result.stdout.match(/^\*Sources: .+\*$/gm)).toHaveLength(2);
  });
});

describe('files and directories as input', () => {
  /** A folder with one document of each kind, a nested one, and a file braid does not read. */
  function writeCorpus(): { directory: string; titles: Record<string, string> } {
    const directory = makeTempDirectory();
    mkdirSync(join(directory, 'nested'));
    writeFileSync(join(directory, 'guide.md'), 'Intro line before any heading.\n\n## Kettle Care Guide\n\nDescale the kettle monthly with vinegar.\n');
    writeFileSync(join(directory, 'notes.txt'), 'Plain notes without a heading. The warranty lasts two years.\n');
    writeFileSync(
      join(directory, 'page.html'),
      '<html><head><title>Ignored Tab Title</title><style>p{}</style></head><body><h1>Returns &amp; Refunds</h1><p>Refunds take five days.</p></body></html>',
    );
    writeFileSync(join(directory, 'nested', 'titled.htm'), '<html><head><title>Shipping Times</title></head><body><p>Orders ship within two days.</p></body></html>');
    writeFileSync(join(directory, 'image.png'), 'not a document');
    return {
      directory,
      titles: {
        'guide.md': 'Kettle Care Guide',
        'notes.txt': 'notes',
        'page.html': 'Returns & Refunds',
        'nested/titled.htm': 'Shipping Times',
      },
    };
  }

  test('a directory: md, txt and html, titled by first heading, <h1>, <title>, else file name', async () => {
    const { directory, titles } = writeCorpus();

    const result = await runCli(['faq', directory, '--per-document', '--questions', '2', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    const { documents } = PerDocumentOutput.parse(JSON.parse(result.stdout));
    const byFile = Object.fromEntries(documents.map((document) => [document.file.slice(directory.length + 1), document]));
    expect(Object.keys(byFile).sort()).toEqual(Object.keys(titles).sort()); // the .png is skipped
    for (const [file, title] of Object.entries(titles)) {
      expect(byFile[file]!.title).toBe(title);
      expect(byFile[file]!.faqs).toHaveLength(2);
      expectSourcesAmong(byFile[file]!.faqs, [title]);
    }
    // the HTML reached the model as text, without its tags or head
    const [htmlPrompt] = promptsWith('<document title="Returns & Refunds">');
    expect(htmlPrompt).toContain('Refunds take five days.');
    expect(htmlPrompt).not.toMatch(/<h1>|<p>|Ignored Tab Title/);
  });

  test('files and directories mixed make one FAQ whose sources are among their titles', async () => {
    const { directory } = writeCorpus();
    const sample = join('samples', 'energy-storage-solutions.md');

    const result = await runCli(['faq', sample, join(directory, 'nested'), join(directory, 'notes.txt'), '--questions', '3', '--json', ...fake.openaiArgs()], {
      env: OPENAI_TEST_ENV,
    });

    expect(result.code, result.stderr).toBe(0);
    const { faqs } = FaqOutput.parse(JSON.parse(result.stdout));
    expect(faqs).toHaveLength(3);
    expectSourcesAmong(faqs, ['Energy Storage Solutions', 'Shipping Times', 'notes']);
  });

  test('--per-document: an empty document fails alone, exit code 1', async () => {
    const { directory } = writeCorpus();
    writeFileSync(join(directory, 'empty.md'), '  \n');

    const result = await runCli(['faq', directory, '--per-document', '--questions', '2', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(1);
    const { documents } = PerDocumentOutput.parse(JSON.parse(result.stdout));
    const failed = documents.filter((document) => document.error !== undefined);
    expect(failed.map((document) => document.file)).toEqual([join(directory, 'empty.md')]);
    expect(failed[0]!.error).toMatch(/is empty/);
    const good = documents.filter((document) => document.error === undefined);
    expect(good).toHaveLength(4);
    for (const document of good) expect(document.faqs).toHaveLength(2);
    expect(stderrLines(result)).toEqual([`braid: failed ${join(directory, 'empty.md')}: ${failed[0]!.error}`]);
  });

  test('--per-document: a document the provider rejects (400) fails alone, exit code 1', async () => {
    const { directory } = writeCorpus();
    fake.server.configure({ rules: [{ match: 'Descale the kettle', status: 400 }] });

    const result = await runCli(['faq', 'samples', join(directory, 'guide.md'), '--per-document', '--questions', '2', '--json', ...fake.openaiArgs()], {
      env: OPENAI_TEST_ENV,
    });

    expect(result.code, result.stderr).toBe(1);
    const { documents } = PerDocumentOutput.parse(JSON.parse(result.stdout));
    expect(documents).toHaveLength(4);
    const [kettle] = documents.filter((document) => document.file.endsWith('guide.md'));
    expect(kettle!.error).toMatch(/400/);
    expect(kettle!.faqs).toEqual([]);
    const samples = documents.filter((document) => !document.file.endsWith('guide.md'));
    expect(samples.map((document) => document.title).sort()).toEqual([...SAMPLE_TITLES].sort());
    for (const document of samples) {
      expect(document.faqs).toHaveLength(2);
      expectSourcesAmong(document.faqs, [document.title!]);
    }
  });
});
