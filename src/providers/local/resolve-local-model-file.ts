import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { resolveModelFile } from 'node-llama-cpp';
import { LocalModelNotFoundError } from './local-model-not-found-error.js';

/** The small instruct model braid downloads on the first local run when no model is set. */
export const DEFAULT_LOCAL_MODEL_URI = 'hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF/qwen2.5-1.5b-instruct-q4_k_m.gguf';

export interface ResolveLocalModelFileOptions {
  /** A path or model URI, with or without the `local:` prefix: `/m/x.gguf`, `local:hf:owner/repo/file.gguf`, `https://…/x.gguf`. */
  spec?: string;
  /** Reads `BRAID_LOCAL_MODEL`, `BRAID_CACHE_DIR`, `BRAID_OFFLINE`, `XDG_CACHE_HOME`. @default process.env */
  env?: Record<string, string | undefined>;
  /** Where the default model (and models named by URI) are kept. @default localModelCacheDirectory(env) */
  cacheDirectory?: string;
  /** Set false (or `BRAID_OFFLINE=1`) to never download. @default true */
  allowDownload?: boolean;
  /** Download progress; without it node-llama-cpp draws its own progress bar on the terminal. */
  onProgress?: (progress: { totalSize: number; downloadedSize: number }) => void;
  signal?: AbortSignal;
  /** How long to wait for the download host before giving up (no network must not hang the run). @default 10_000 */
  connectTimeoutMs?: number;
}

/**
 * The directory braid keeps its models in: `BRAID_CACHE_DIR` if set, else
 * `${XDG_CACHE_HOME:-~/.cache}/braid/models`.
 *
 * @example localModelCacheDirectory({ XDG_CACHE_HOME: '/tmp/xdg' }) // '/tmp/xdg/braid/models'
 */
export function localModelCacheDirectory(env: Record<string, string | undefined> = process.env): string {
  if (env.BRAID_CACHE_DIR) return path.resolve(env.BRAID_CACHE_DIR);
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'braid', 'models');
}

/**
 * Finds the GGUF file for the local model, in this order: the spec's path or URI; then
 * `BRAID_LOCAL_MODEL`; then the default model in braid's cache; then a download of the default
 * model into that cache (skipped when offline). URIs resolve through node-llama-cpp
 * (`hf:owner/repo/file.gguf`, `https://…`), cached in `cacheDirectory`.
 *
 * @throws LocalModelNotFoundError saying what to set.
 * @example
 * const modelPath = await resolveLocalModelFile({ spec: 'local:/models/qwen.gguf' });
 */
export async function resolveLocalModelFile({
  spec,
  env = process.env,
  cacheDirectory = localModelCacheDirectory(env),
  allowDownload = true,
  onProgress,
  signal,
  connectTimeoutMs = 10_000,
}: ResolveLocalModelFileOptions = {}): Promise<string> {
  const offline = !allowDownload || isSet(env.BRAID_OFFLINE);
  const requested = stripLocalPrefix(spec) || stripLocalPrefix(env.BRAID_LOCAL_MODEL);
  const download = async (uri: string) => {
    await assertReachable(uri, connectTimeoutMs, signal);
    return resolveModelFile(uri, { directory: cacheDirectory, download: 'auto', cli: onProgress === undefined, onProgress, signal });
  };

  if (requested) {
    const source = stripLocalPrefix(spec) ? `--model local:${requested}` : `BRAID_LOCAL_MODEL=${requested}`;
    if (!isUri(requested)) {
      const filePath = path.resolve(requested);
      const problem = await fileProblem(filePath);
      if (!problem) return filePath;
      throw new LocalModelNotFoundError(
        `no model file at ${filePath} (from ${source}): check the path, or set BRAID_LOCAL_MODEL=/path/to/model.gguf`,
        requested,
        cacheDirectory,
        { cause: problem },
      );
    }
    try {
      if (offline) return await resolveModelFile(requested, { directory: cacheDirectory, download: false, cli: false });
      return await download(requested);
    } catch (error) {
      throw new LocalModelNotFoundError(
        `could not get the model ${requested} (from ${source}) into ${cacheDirectory}` +
          (offline ? ' while offline (BRAID_OFFLINE or allowDownload: false)' : '') +
          ': connect to the internet for the first run, or set BRAID_LOCAL_MODEL=/path/to/model.gguf',
        requested,
        cacheDirectory,
        { cause: error },
      );
    }
  }

  let cause: unknown;
  try {
    return await resolveModelFile(DEFAULT_LOCAL_MODEL_URI, { directory: cacheDirectory, download: false, cli: false });
  } catch (error) {
    cause = error;
  }
  if (!offline) {
    try {
      return await download(DEFAULT_LOCAL_MODEL_URI);
    } catch (error) {
      cause = error;
    }
  }
  throw new LocalModelNotFoundError(
    `no local model: set BRAID_LOCAL_MODEL=/path/to/model.gguf, or pass --model local:/path/to/model.gguf, ` +
      `or connect to the internet for the first run so braid can download ${DEFAULT_LOCAL_MODEL_URI} into ${cacheDirectory}` +
      (offline ? ' (downloads are off: BRAID_OFFLINE is set or allowDownload is false)' : ''),
    undefined,
    cacheDirectory,
    { cause },
  );
}

function stripLocalPrefix(spec: string | undefined): string {
  const trimmed = spec?.trim() ?? '';
  return trimmed.startsWith('local:') ? trimmed.slice('local:'.length) : trimmed;
}

function isUri(value: string): boolean {
  // a scheme, but not a Windows drive letter such as C:\models
  return /^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value);
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false', 'no'].includes(value.trim().toLowerCase());
}

/** Why `filePath` is not a readable model file, or undefined when it is one. */
async function fileProblem(filePath: string): Promise<Error | undefined> {
  try {
    return (await stat(filePath)).isFile() ? undefined : new Error(`${filePath} is not a file`);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function assertReachable(uri: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  // without a network, node-llama-cpp's download waits on the connection for minutes; fail fast instead
  const origin = /^https?:\/\//i.test(uri) ? new URL(uri).origin : 'https://huggingface.co';
  const timeout = AbortSignal.timeout(timeoutMs);
  await fetch(origin, { method: 'HEAD', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
}
