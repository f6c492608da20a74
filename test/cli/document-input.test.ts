import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { makeTempDirectory, runCli, stderrLines } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

/** The start of an ELF executable, renamed to .txt, then the text a binary carries. */
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x3e, 0x00]), Buffer.from('GLIBC_2.2.5 main printf\0\0\0')]);

const PerDocument = z.object({ documents: z.array(z.object({ file: z.string(), title: z.string().optional(), error: z.string().optional() })) });

function prompts(): string {
  return fake.server.stats().timeline.map((entry) => entry.prompt).join('\n');
}

describe('documents that are not text never reach the model', () => {
  test('a binary file given directly: one line naming it, exit code 2, no call', async () => {
    const file = join(makeTempDirectory(), 'some-elf-binary.txt');
    writeFileSync(file, ELF);

    const result = await runCli(['faq', file, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe(`braid: ${file} is not text: it holds NUL bytes (a binary file?)\n`);
    expect(result.stdout).toBe('');
    expect(fake.server.stats().requests).toBe(0);
  });

  test('inside a folder a binary file is skipped with one line, and the documents around it are read', async () => {
    const directory = makeTempDirectory();
    writeFileSync(join(directory, 'guide.md'), '# Kettle Care\n\nDescale the kettle monthly with vinegar.\n');
    writeFileSync(join(directory, 'logo.md'), ELF);

    const result = await runCli(['faq', directory, '--per-document', '--questions', '1', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

    expect(result.code, result.stderr).toBe(0);
    expect(stderrLines(result)).toEqual([`braid: ${join(directory, 'logo.md')} is not text: it holds NUL bytes (a binary file?); skipped`]);
    expect(PerDocument.parse(JSON.parse(result.stdout)).documents.map((document) => document.title)).toEqual(['Kettle Care']);
    expect(prompts()).not.toContain('GLIBC');
  });
});

test('links in a folder: links to files are followed, a loop and a broken link are named and skipped', async () => {
  const directory = makeTempDirectory();
  const elsewhere = makeTempDirectory();
  writeFileSync(join(elsewhere, 'shipping.md'), '# Shipping Times\n\nOrders ship within two days.\n');
  mkdirSync(join(directory, 'nested'));
  writeFileSync(join(directory, 'nested', 'guide.md'), '# Kettle Care\n\nDescale the kettle monthly with vinegar.\n');
  symlinkSync(join(elsewhere, 'shipping.md'), join(directory, 'shipping.md'));
  symlinkSync(directory, join(directory, 'nested', 'loop')); // back to the top: walked once only
  symlinkSync(join(elsewhere, 'gone.md'), join(directory, 'gone.md'));

  const result = await runCli(['faq', directory, '--per-document', '--questions', '1', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  const { documents } = PerDocument.parse(JSON.parse(result.stdout));
  expect(documents.map((document) => [document.file, document.title])).toEqual([
    [join(directory, 'nested', 'guide.md'), 'Kettle Care'],
    [join(directory, 'shipping.md'), 'Shipping Times'],
  ]);
  expect(stderrLines(result).sort()).toEqual(
    [`braid: ${join(directory, 'gone.md')} is a broken link; skipped`, `braid: ${join(directory, 'nested', 'loop')} links to a folder already listed; skipped`].sort(),
  );
});

test('UTF-16 (with a byte-order mark) and Latin-1 documents reach the model as the text they hold', async () => {
  const directory = makeTempDirectory();
  const utf16 = join(directory, 'größe.md');
  const latin1 = join(directory, 'café.txt');
  writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# Größentabelle\n\nDie Größe M passt für 90 cm Brustumfang.\n', 'utf16le')]));
  writeFileSync(latin1, Buffer.from('Le café est servi à partir de 7 h, même le dimanche.\n', 'latin1'));

  const result = await runCli(['faq', utf16, latin1, '--questions', '2', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  const sent = prompts();
  expect(sent).toContain('<document title="Größentabelle">\n# Größentabelle\n\nDie Größe M passt für 90 cm Brustumfang.');
  expect(sent).toContain('<document title="café">\nLe café est servi à partir de 7 h, même le dimanche.');
  expect(sent).not.toMatch(/\u0000|\ufffd|Ã/);
});
