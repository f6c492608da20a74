import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';

export interface AssertWritableOptions {
  /** The flag that named the path, for the error. @default '--out' */
  flag?: string;
  /** Create the missing folders, as the writer does (`--trace`), instead of refusing them (`--out`). @default false */
  createFolder?: boolean;
}

/**
 * Checks, before the first model call, that an output path can be written, so a paid run's result
 * is never lost to a typo, a folder or a permission. The file is opened for appending and closed,
 * which tests what writing will meet (permissions, a read-only disk, a folder in the way); a file
 * that did not exist is removed again.
 *
 * @throws {InputError} naming the flag and the path.
 */
export async function assertWritable(path: string, { flag = '--out', createFolder = false }: AssertWritableOptions = {}): Promise<void> {
  const target = resolve(path);
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new InputError(`cannot write ${path} (${flag}): it is a folder; give a file name`);
  try {
    if (createFolder) await mkdir(dirname(target), { recursive: true });
    const handle = await open(target, 'a');
    await handle.close();
  } catch (error) {
    throw new InputError(`cannot write ${path} (${flag}): ${describeWriteError(error)}`, { cause: error });
  }
  if (!existing) await rm(target, { force: true });
}

function describeWriteError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'its folder does not exist';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a part of the path is a file, not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EISDIR':
      return 'it is a folder; give a file name';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Checks every output path of a command (`--out`, and `--trace` unless `--redis` hands the run to
 * workers) before it runs: a commander `preAction` hook, so `braid resume` and `braid retry`, which
 * run a stored command again, check them too.
 */
export async function assertOutputPathsWritable({ out, trace, redis }: { out?: unknown; trace?: unknown; redis?: unknown }): Promise<void> {
  if (typeof out === 'string') await assertWritable(out, { flag: '--out' });
  if (typeof trace === 'string' && redis === undefined) await assertWritable(trace, { flag: '--trace', createFolder: true });
}

/** Writes a command's result to `--out` (saying so on stderr), or to stdout. */
export async function writeOutput(text: string, out: string | undefined): Promise<void> {
  if (out) {
    await writeFile(out, `${text}\n`);
    process.stderr.write(`braid: wrote ${out}\n`);
  } else {
    process.stdout.write(`${text}\n`);
  }
}
