import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';

/** A source document: its title is what citations name. */
export interface SourceDocument {
  file: string;
  title: string;
  text: string;
}

const DOCUMENT_EXTENSIONS = new Set(['.md', '.markdown', '.txt', '.text', '.html', '.htm']);

/**
 * Expands files and directories (recursively) into the document files they hold, sorted, without
 * reading them: a batch of thousands is listed first and read one by one as it runs.
 */
export async function listDocumentFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((error: unknown) => {
      throw new InputError(`cannot read ${path}: no such file or directory`, { cause: error });
    });
    if (info.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      const found = entries
        .filter((entry) => entry.isFile() && DOCUMENT_EXTENSIONS.has(extname(entry.name).toLowerCase()))
        .map((entry) => join(entry.parentPath, entry.name))
        .sort();
      if (found.length === 0) throw new InputError(`${path} holds no .md, .txt or .html documents`);
      files.push(...found);
    } else {
      if (!DOCUMENT_EXTENSIONS.has(extname(path).toLowerCase())) {
        throw new InputError(`${path} is not a document braid reads: use .md, .txt or .html files`);
      }
      files.push(path);
    }
  }
  return files.map((file) => resolve(file));
}

/** Reads one document; its title is its first heading, else its file name. */
export async function readDocument(file: string): Promise<SourceDocument> {
  const raw = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new InputError(`cannot read ${file}`, { cause: error });
  });
  const isHtml = ['.html', '.htm'].includes(extname(file).toLowerCase());
  const text = (isHtml ? htmlToText(raw) : raw).trim();
  if (text === '') throw new InputError(`${file} is empty: give the FAQ some text to work from`);
  const heading = isHtml ? htmlHeading(raw) : markdownHeading(raw);
  return { file, title: heading ?? basename(file, extname(file)), text };
}

function markdownHeading(markdown: string): string | undefined {
  const match = /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(markdown);
  return match?.[1]?.trim() || undefined;
}

function htmlHeading(html: string): string | undefined {
  const match = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html) ?? /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  const title = match?.[1] ? decodeEntities(match[1].replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim() : '';
  return title || undefined;
}

function htmlToText(html: string): string {
  const withoutHidden = html.replace(/<(script|style|head|noscript)[^>]*>[\s\S]*?<\/\1>/gi, ' ');
  const withBreaks = withoutHidden.replace(/<\/(p|div|h[1-6]|li|tr|section|article)>|<br\s*\/?>/gi, '\n');
  return decodeEntities(withBreaks.replace(/<[^>]+>/g, ' '))
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number(body.slice(1)));
    return named[body.toLowerCase()] ?? entity;
  });
}
