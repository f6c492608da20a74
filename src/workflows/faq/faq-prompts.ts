import type { SourceDocument } from './load-documents.js';

/**
 * The stable prefix shared by every call over the same documents: instructions, then the
 * documents. Per-call instructions go after it, so providers and the local model can reuse it.
 */
export function documentsPrefix(documents: readonly SourceDocument[]): string {
  const body = documents.map((document) => `<document title="${document.title}">\n${document.text}\n</document>`).join('\n\n');
  return [
    'You build a FAQ from the source documents below. Use only facts stated in them; never add outside knowledge.',
    'Answer in JSON exactly as the schema asks.',
    '',
    body,
  ].join('\n');
}

export function questionsPrompt(count: number, avoid: readonly string[]): string {
  const lines = [`Write exactly ${count} distinct questions a reader of these documents would ask, each answerable from the documents alone.`];
  if (avoid.length > 0) lines.push('Do not repeat any of these questions:', ...avoid.map((question) => `- ${question}`));
  return lines.join('\n');
}

export function answerPrompt(question: string): string {
  return `Answer this question in two to four sentences, using only the documents.\nQuestion: ${question}`;
}

export function sourcesPrompt(question: string, answer: string, titles: readonly string[]): string {
  return [
    'Which documents support this answer? Choose only from these titles:',
    ...titles.map((title) => `- ${title}`),
    `Question: ${question}`,
    `Answer: ${answer}`,
  ].join('\n');
}

export function singlePrompt(count: number, titles: readonly string[]): string {
  return [
    `Write a FAQ of exactly ${count} entries. For each: a question, its answer from the documents only, and the titles of the documents that support it.`,
    `Titles: ${titles.join('; ')}`,
  ].join('\n');
}

/** The pick step's prompt: candidate questions from every part of a corpus too large for one prompt. */
export function pickPrompt(count: number, candidates: readonly { id: string; question: string; titles: readonly string[] }[]): string {
  return [
    `These candidate questions come from different parts of a document collection. Pick the ${count} most useful distinct ones for a FAQ that covers the whole collection: prefer questions about different topics, and never two that ask the same thing.`,
    ...candidates.map(({ id, question, titles }) => `${id}: ${question} (from: ${titles.join('; ')})`),
  ].join('\n');
}
