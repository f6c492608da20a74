import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { listDocumentFiles, readDocument } from '../../../src/workflows/index.js';
import { REPOSITORY_ROOT } from '../../support/run-cli.js';

const EVAL_DIRECTORY = join(REPOSITORY_ROOT, 'data', 'eval');

const ReferenceLine = z.strictObject({
  title: z.string(),
  file: z.string(),
  facts: z.array(z.strictObject({ statement: z.string().min(10), evidence: z.string().min(10) })).min(5),
  questions: z.array(z.strictObject({ q: z.string().endsWith('?'), facts: z.array(z.number().int().min(0)).min(1) })).min(3),
});

test('the labelled FAQ set: every document has reference questions, and every fact is backed by words of its document', async () => {
  const lines = readFileSync(join(EVAL_DIRECTORY, 'faq-reference.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ReferenceLine.parse(JSON.parse(line)));
  const documents = await Promise.all((await listDocumentFiles([join(EVAL_DIRECTORY, 'faq')])).map(readDocument));

  // one line per document, and the titles are the ones braid reads (the first heading)
  expect(lines.map((line) => line.title).sort()).toEqual(documents.map((document) => document.title).sort());
  for (const line of lines) {
    const document = documents.find((candidate) => candidate.file === join(EVAL_DIRECTORY, line.file))!;
    expect(document.title, line.file).toBe(line.title);
    for (const fact of line.facts) expect(document.text, fact.statement).toContain(fact.evidence);
    for (const question of line.questions) for (const index of question.facts) expect(line.facts[index], question.q).toBeDefined();
  }
});
