import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';

/** Checks up front that `--out` can be written, so a finished run's result is not lost to a typo. */
export async function assertWritable(out: string): Promise<void> {
  await access(dirname(resolve(out)), constants.W_OK).catch((error: unknown) => {
    throw new InputError(`cannot write ${out}: its folder does not exist or is not writable`, { cause: error });
  });
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
