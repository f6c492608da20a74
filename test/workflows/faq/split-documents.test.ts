import { expect, onTestFinished, test } from 'vitest';
import { createRuntime } from '../../../src/index.js';
import { generateFaq } from '../../../src/workflows/faq/generate-faq.js';
import type { SourceDocument } from '../../../src/workflows/faq/load-documents.js';
import { splitIntoParts, spreadQuestions } from '../../../src/workflows/faq/split-documents.js';
import { startFakeProvider } from '../../fake-provider/index.js';
import { modelOn } from '../../support/wire-models.js';

const paragraph = (word: string) => `${word} `.repeat(60).trim(); // 60 words, about 400 characters
const big: SourceDocument = { file: 'big.md', title: 'Big', text: ['alpha', 'beta', 'gamma', 'delta'].map(paragraph).join('\n\n') };
const small: SourceDocument = { file: 'small.md', title: 'Small', text: paragraph('omega') };

test('a document larger than a part is split at paragraphs; each piece keeps its title', () => {
  const parts = splitIntoParts([big, small], 900);
  expect(parts.every((part) => part.size <= 900)).toBe(true);
  const pieces = parts.flatMap((part) => part.documents);
  expect(pieces.map((piece) => piece.title)).toEqual(['Big', 'Big', 'Small']);
  expect(pieces.map((piece) => piece.text).join('\n\n')).toBe(`${big.text}\n\n${small.text}`);
});

test('a paragraph longer than a part is cut, never dropped', () => {
  const parts = splitIntoParts([{ file: 'x.md', title: 'X', text: 'word. '.repeat(500) }], 300);
  expect(parts.every((part) => part.size <= 300)).toBe(true);
  expect(parts.map((part) => part.documents[0]!.text).join(' ').replace(/\s+/g, ' ')).toBe('word. '.repeat(500).trim());
});

test('questions are spread over parts in proportion to their size, adding up to the count', () => {
  const parts = splitIntoParts([big, small], 900);
  const counts = spreadQuestions(parts, 5);
  expect(counts.reduce((sum, count) => sum + count, 0)).toBe(5);
  expect(counts[0]).toBeGreaterThanOrEqual(counts[2]!);
});

test('a FAQ over documents larger than a prompt asks each part for its share and answers from that part', async () => {
  const server = await startFakeProvider({ seed: 9 });
  onTestFinished(() => server.close());
  const braid = createRuntime({ model: modelOn('openai', server) });
  const { faqs } = await generateFaq(braid, [big, small], { questions: 3, maxPartCharacters: 900 });
  expect(faqs).toHaveLength(3);
  const prompts = server.stats().timeline.map((request) => request.prompt);
  // no prompt carries more than one part's worth of documents
  expect(prompts.every((prompt) => !(prompt.includes('alpha') && prompt.includes('delta')))).toBe(true);
  expect(prompts.filter((prompt) => prompt.includes('distinct questions')).length).toBeGreaterThanOrEqual(3);
  for (const faq of faqs) expect(['Big', 'Small']).toEqual(expect.arrayContaining(faq.sources));
});
