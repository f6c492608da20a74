import { open, readdir, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import { decodeText } from './decode-text.js';

/** A source document: its title is what citations name. */
export interface SourceDocument {
  file: string;
  title: string;
  text: string;
}

const DOCUMENT_EXTENSIONS = new Set(['.md', '.markdown', '.txt', '.text', '.html', '.htm']);

/** How much of each listed file is read to tell text from binary before the run: enough for any header. */
const SNIFF_BYTES = 64 * 1024;

export interface ListDocumentFilesOptions {
  /**
   * Told about each file inside a folder that is left out, and why: not text, a broken link, a
   * link to a folder already listed. A file named directly is refused instead.
   * @default nothing is told
   */
  onSkip?: (file: string, reason: string) => void;
}

/**
 * Expands files and directories (recursively, following links, each folder once) into the
 * document files they hold, sorted. Each is checked to be text from its first bytes, not read
 * whole: a batch of thousands is listed first and read one by one as it runs.
 *
 * @throws {InputError} for a missing path, a named file braid does not read or that is not text,
 *   or a folder with no document.
 */
export async function listDocumentFiles(paths: readonly string[], { onSkip = () => {} }: ListDocumentFilesOptions = {}): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((error: unknown) => {
      throw new InputError(`cannot read ${path}: no such file or directory`, { cause: error });
    });
    if (info.isDirectory()) {
      const found: string[] = [];
      let skipped = 0;
      const skip = (file: string, reason: string): void => {
        skipped += 1;
        onSkip(file, reason);
      };
      await collectDocuments(path, { found, skip, visited: new Set([await realpath(path)]) });
      if (found.length === 0) {
        throw new InputError(`${path} holds no .md, .txt or .html documents${skipped > 0 ? ` braid can read (${skipped} skipped)` : ''}`);
      }
      files.push(...found.sort());
    } else {
      if (!isDocumentName(path)) throw new InputError(`${path} is not a document braid reads: use .md, .txt or .html files`);
      const problem = await sniffText(path);
      if (problem !== undefined) throw new InputError(`${path} ${problem}`);
      files.push(path);
    }
  }
  return files.map((file) => resolve(file));
}

interface Collection {
  found: string[];
  skip: (file: string, reason: string) => void;
  /** Real paths of the folders walked: a link back to one of them is a loop, or a folder listed twice. */
  visited: Set<string>;
}

async function collectDocuments(folder: string, collection: Collection): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      await collectFolder(path, collection);
    } else if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined); // follows the link
      if (target === undefined) {
        if (isDocumentName(path)) collection.skip(path, 'is a broken link');
      } else if (target.isDirectory()) {
        await collectFolder(path, collection);
      } else if (target.isFile() && (isDocumentName(path) || isDocumentName(await realpath(path)))) {
        await collectFile(path, collection);
      }
    } else if (entry.isFile() && isDocumentName(path)) {
      await collectFile(path, collection);
    }
  }
}

async function collectFolder(path: string, collection: Collection): Promise<void> {
  const real = await realpath(path);
  if (collection.visited.has(real)) {
    collection.skip(path, 'links to a folder already listed');
    return;
  }
  collection.visited.add(real);
  await collectDocuments(path, collection);
}

async function collectFile(path: string, collection: Collection): Promise<void> {
  const problem = await sniffText(path);
  if (problem === undefined) collection.found.push(path);
  else collection.skip(path, problem);
}

function isDocumentName(path: string): boolean {
  return DOCUMENT_EXTENSIONS.has(extname(path).toLowerCase());
}

/** Why the file's first bytes are not text, or undefined when they are. */
async function sniffText(file: string): Promise<string | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const buffer = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    const decoded = decodeText(buffer.subarray(0, bytesRead), { complete: bytesRead < SNIFF_BYTES });
    return decoded.ok ? undefined : decoded.reason;
  } catch (error) {
    return `cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  } finally {
    await handle?.close();
  }
}

/**
 * Reads one document, decoding UTF-8, UTF-16 or Latin-1 (see `decodeText`); its title is its first
 * heading, else its file name.
 *
 * @throws {InputError} when the file cannot be read, is not text, or is empty.
 */
export async function readDocument(file: string): Promise<SourceDocument> {
  const bytes = await readFile(file).catch((error: unknown) => {
    throw new InputError(`cannot read ${file}`, { cause: error });
  });
  const decoded = decodeText(bytes);
  if (!decoded.ok) throw new InputError(`${file} ${decoded.reason}`);
  const raw = decoded.text;
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
