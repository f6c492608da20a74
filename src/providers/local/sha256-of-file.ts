import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The SHA-256 of a file, as lowercase hex, read as a stream (model files are gigabytes).
 *
 * @example await sha256OfFile('/models/qwen.gguf') // '6a1a2eb6…'
 */
export async function sha256OfFile(filePath: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
