import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * Each file's path and a hash of its bytes, read one at a time as a stream: a run's identity over a
 * folder of thousands of documents without holding them in memory. A file that cannot be read
 * hashes as unreadable (its item will fail on its own).
 */
export async function fingerprintFiles(files: readonly string[]): Promise<{ file: string; sha256: string }[]> {
  const fingerprints: { file: string; sha256: string }[] = [];
  for (const file of files) {
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
      fingerprints.push({ file, sha256: hash.digest('hex') });
    } catch {
      fingerprints.push({ file, sha256: 'unreadable' });
    }
  }
  return fingerprints;
}
