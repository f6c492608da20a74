/**
 * The tiny random-weight GGUF the local-model tests run on: vitest.config.ts sets BRAID_LOCAL_MODEL
 * to the shared copy beside the project unless the environment names one.
 */
export function testModelFile(): string {
  const file = process.env.BRAID_LOCAL_MODEL;
  if (!file) throw new Error('BRAID_LOCAL_MODEL is not set: point it at a GGUF file (CI uses ../shared/models/llama-2-tiny-random.gguf)');
  return file;
}
