import type { SourceDocument } from './load-documents.js';

/** A piece of the corpus small enough for one prompt, with the titles it draws from. */
export interface CorpusPart {
  documents: SourceDocument[];
  /** Characters of document text in the part. */
  size: number;
}

/**
 * Packs documents into parts of at most `maxCharacters`, splitting a document that is larger
 * than that at paragraph boundaries (each piece keeps its document's title).
 */
export function splitIntoParts(documents: readonly SourceDocument[], maxCharacters: number): CorpusPart[] {
  const pieces = documents.flatMap((document) => splitDocument(document, maxCharacters));
  const parts: CorpusPart[] = [];
  let current: CorpusPart = { documents: [], size: 0 };
  for (const piece of pieces) {
    if (current.documents.length > 0 && current.size + piece.text.length > maxCharacters) {
      parts.push(current);
      current = { documents: [], size: 0 };
    }
    current.documents.push(piece);
    current.size += piece.text.length;
  }
  if (current.documents.length > 0) parts.push(current);
  return parts;
}

/**
 * Spreads `count` questions over parts in proportion to their size, each part getting at least
 * one while there are enough questions to go round (largest parts first).
 */
export function spreadQuestions(parts: readonly CorpusPart[], count: number): number[] {
  const total = parts.reduce((sum, part) => sum + part.size, 0) || 1;
  const shares = parts.map((part) => (part.size / total) * count);
  const counts = shares.map((share) => Math.floor(share));
  let left = count - counts.reduce((sum, value) => sum + value, 0);
  const byRemainder = shares.map((share, index) => ({ index, remainder: share - Math.floor(share) })).sort((a, b) => b.remainder - a.remainder);
  for (const { index } of byRemainder) {
    if (left === 0) break;
    counts[index] = (counts[index] ?? 0) + 1;
    left -= 1;
  }
  return counts;
}

function splitDocument(document: SourceDocument, maxCharacters: number): SourceDocument[] {
  if (document.text.length <= maxCharacters) return [document];
  const pieces: SourceDocument[] = [];
  let buffer = '';
  for (const paragraph of document.text.split(/\n\s*\n/)) {
    for (const chunk of chunksOf(paragraph, maxCharacters)) {
      if (buffer !== '' && buffer.length + chunk.length + 2 > maxCharacters) {
        pieces.push({ ...document, text: buffer });
        buffer = '';
      }
      buffer = buffer === '' ? chunk : `${buffer}\n\n${chunk}`;
    }
  }
  if (buffer !== '') pieces.push({ ...document, text: buffer });
  return pieces;
}

/** A single paragraph longer than a part is cut at sentence ends, or hard if it has none. */
function chunksOf(paragraph: string, maxCharacters: number): string[] {
  if (paragraph.length <= maxCharacters) return [paragraph];
  const chunks: string[] = [];
  let rest = paragraph;
  while (rest.length > maxCharacters) {
    const window = rest.slice(0, maxCharacters);
    const cut = Math.max(window.lastIndexOf('. '), window.lastIndexOf('\n'));
    const end = cut > maxCharacters / 2 ? cut + 1 : maxCharacters;
    chunks.push(rest.slice(0, end).trim());
    rest = rest.slice(end).trim();
  }
  if (rest !== '') chunks.push(rest);
  return chunks;
}
