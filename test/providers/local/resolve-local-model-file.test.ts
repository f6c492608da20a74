import { testModelFile } from '../../support/test-model-file.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateText } from 'ai';
import { expect, onTestFinished, test } from 'vitest';
import { BraidError } from '../../../src/core/errors.js';
import { createLocalEngine } from '../../../src/providers/local/local-engine.js';
import { LocalModelNotFoundError } from '../../../src/providers/local/local-model-not-found-error.js';
import {
  localModelCacheDirectory,
  resolveLocalModelFile,
} from '../../../src/providers/local/resolve-local-model-file.js';

const TEST_MODEL = testModelFile();

async function emptyDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'braid-models-'));
  onTestFinished(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

test('offline with an empty cache: a typed error says what to set', async () => {
  const cacheDirectory = await emptyDirectory();
  const error = await rejection(resolveLocalModelFile({ env: { BRAID_OFFLINE: '1' }, cacheDirectory }));
  expect(error).toBeInstanceOf(LocalModelNotFoundError);
  expect(error).toBeInstanceOf(BraidError);
  const { message, cause } = error as LocalModelNotFoundError;
  expect(message).toContain('BRAID_LOCAL_MODEL=/path/to/model.gguf');
  expect(message).toContain('--model local:/path');
  expect(message).toContain('connect to the internet');
  expect(message).toContain(cacheDirectory);
  expect(cause).toBeInstanceOf(Error);
});

test('allowDownload: false is offline too, and BRAID_CACHE_DIR names the cache', async () => {
  const cacheDirectory = await emptyDirectory();
  const error = await rejection(resolveLocalModelFile({ env: { BRAID_CACHE_DIR: cacheDirectory }, allowDownload: false }));
  expect(error).toBeInstanceOf(LocalModelNotFoundError);
  expect((error as LocalModelNotFoundError).cacheDirectory).toBe(cacheDirectory);
});

test('a missing explicit path fails with that path, without falling back', async () => {
  const missing = path.join(await emptyDirectory(), 'nope.gguf');
  const error = await rejection(
    resolveLocalModelFile({ spec: `local:${missing}`, env: { BRAID_LOCAL_MODEL: TEST_MODEL, BRAID_OFFLINE: '1' } }),
  );
  expect(error).toBeInstanceOf(LocalModelNotFoundError);
  expect((error as LocalModelNotFoundError).message).toContain(`no model file at ${missing}`);
  expect((error as LocalModelNotFoundError).requested).toBe(missing);
  expect((error as LocalModelNotFoundError).cause).toBeInstanceOf(Error);
});

test('the spec wins over BRAID_LOCAL_MODEL, which wins over the cache', async () => {
  const cacheDirectory = await emptyDirectory();
  const other = path.join(cacheDirectory, 'other.gguf');
  await writeFile(other, 'GGUF and then no real model'); // only the magic is checked before loading
  const env = { BRAID_LOCAL_MODEL: TEST_MODEL, BRAID_OFFLINE: '1' };
  expect(await resolveLocalModelFile({ spec: `local:${other}`, env, cacheDirectory })).toBe(other);
  expect(await resolveLocalModelFile({ spec: other, env, cacheDirectory })).toBe(other);
  expect(await resolveLocalModelFile({ env, cacheDirectory })).toBe(TEST_MODEL);
});

test('the default model already in the cache is found without a download', async () => {
  const cacheDirectory = await emptyDirectory();
  // the file name node-llama-cpp gives the default hf: URI when it downloads it
  const cached = path.join(cacheDirectory, 'hf_Qwen_qwen2.5-1.5b-instruct-q4_k_m.gguf');
  await writeFile(cached, 'GGUF stand-in');
  expect(await resolveLocalModelFile({ env: { BRAID_OFFLINE: '1' }, cacheDirectory })).toBe(cached);
});

test('a model URI that is not cached fails offline, naming the URI', async () => {
  const cacheDirectory = await emptyDirectory();
  const error = await rejection(resolveLocalModelFile({ spec: 'local:hf:owner/repo/model.gguf', env: { BRAID_OFFLINE: '1' }, cacheDirectory }));
  expect(error).toBeInstanceOf(LocalModelNotFoundError);
  expect((error as Error).message).toContain('hf:owner/repo/model.gguf');
});

test('the cache directory follows BRAID_CACHE_DIR, then XDG_CACHE_HOME', () => {
  expect(localModelCacheDirectory({ BRAID_CACHE_DIR: '/tmp/braid-cache' })).toBe('/tmp/braid-cache');
  expect(localModelCacheDirectory({ XDG_CACHE_HOME: '/tmp/xdg' })).toBe('/tmp/xdg/braid/models');
});

test('a call on the engine surfaces the same error, without loading anything', async () => {
  const engine = createLocalEngine({ env: { BRAID_OFFLINE: '1' }, cacheDirectory: await emptyDirectory() });
  onTestFinished(() => engine.dispose());
  const error = await rejection(generateText({ model: engine.languageModel(), prompt: 'Hi' }));
  expect(error).toBeInstanceOf(LocalModelNotFoundError);
  expect(engine.stats().loadedModels).toBe(0);
});
