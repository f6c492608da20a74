import { open } from 'node:fs/promises';

/** Every GGUF file starts with these four bytes. */
const GGUF_MAGIC = Buffer.from('GGUF', 'ascii');

/**
 * Whether the file starts like a GGUF model. Checked before llama.cpp loads a file: on anything
 * else it fails with an error that prints the file's first bytes raw.
 *
 * @example await startsWithGgufMagic('/etc/hostname') // false
 */
export async function startsWithGgufMagic(filePath: string): Promise<boolean> {
  const file = await open(filePath, 'r');
  try {
    const head = Buffer.alloc(GGUF_MAGIC.length);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(GGUF_MAGIC);
  } finally {
    await file.close();
  }
}
