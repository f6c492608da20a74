import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { ModelIntegrityError } from '../../../src/providers/local/model-integrity-error.js';
import { DEFAULT_LOCAL_MODEL, resolveLocalModelFile } from '../../../src/providers/local/resolve-local-model-file.js';
import { sha256OfFile } from '../../../src/providers/local/sha256-of-file.js';
import { testModelFile } from '../../support/test-model-file.js';

const TEST_MODEL = testModelFile();

/** Serves the test model over loopback HTTP, as Hugging Face would serve the default model; counts the GETs of it. */
async function serveModel(): Promise<{ url: string; requests: () => number }> {
  const { size } = await stat(TEST_MODEL);
  let requests = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/models/tiny.gguf') {
      response.writeHead(request.method === 'HEAD' ? 200 : 404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size), 'accept-ranges': 'none' });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    requests += 1;
    createReadStream(TEST_MODEL).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/models/tiny.gguf`, requests: () => requests };
}

async function emptyDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'braid-download-'));
  onTestFinished(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

test('a download whose SHA-256 differs from the pinned one is deleted, and the error says so', async () => {
  const { url, requests } = await serveModel();
  const cacheDirectory = await emptyDirectory();
  const wrong = '0'.repeat(64);

  const error = await resolveLocalModelFile({ env: {}, cacheDirectory, defaultModel: { uri: url, sha256: wrong }, onProgress: () => {} }).then(
    () => expect.fail('a file with the wrong hash was accepted'),
    (rejection: unknown) => rejection,
  );

  expect(requests()).toBeGreaterThan(0);
  expect(error).toBeInstanceOf(ModelIntegrityError);
  const integrity = error as ModelIntegrityError;
  expect(integrity.expectedSha256).toBe(wrong);
  expect(integrity.actualSha256).toBe(await sha256OfFile(TEST_MODEL));
  expect(integrity.message).toMatch(/SHA-256 .* expected 0{64}; braid deleted /);
  // nothing is left for the next run to pick up as the default model
  expect((await readdir(cacheDirectory)).filter((name) => !name.startsWith('.'))).toEqual([]);
});

test('a download that matches its pinned SHA-256 is kept and found in the cache next time', async () => {
  const { url, requests } = await serveModel();
  const cacheDirectory = await emptyDirectory();
  const defaultModel = { uri: url, sha256: await sha256OfFile(TEST_MODEL) };

  const downloaded = await resolveLocalModelFile({ env: {}, cacheDirectory, defaultModel, onProgress: () => {} });
  expect(downloaded).toBe(path.join(cacheDirectory, 'tiny.gguf'));
  expect(await sha256OfFile(downloaded)).toBe(defaultModel.sha256);
  const requestsForDownload = requests();
  // offline, the cached copy is found without asking the server
  expect(await resolveLocalModelFile({ env: { BRAID_OFFLINE: '1' }, cacheDirectory, defaultModel })).toBe(downloaded);
  expect(requests()).toBe(requestsForDownload);
});

test('the default model is pinned to the SHA-256 Hugging Face publishes for it', () => {
  expect(DEFAULT_LOCAL_MODEL).toEqual({
    uri: 'hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF/qwen2.5-1.5b-instruct-q4_k_m.gguf',
    sha256: '6a1a2eb6d15622bf3c96857206351ba97e1af16c30d7a74ee38970e434e9407e',
  });
});
