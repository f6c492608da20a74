import { rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { startsWithGgufMagic } from './gguf-magic.js';
import { loadNodeLlamaCpp, type NodeLlamaCpp } from './load-node-llama-cpp.js';
import { LocalModelNotFoundError } from './local-model-not-found-error.js';
import { ModelIntegrityError } from './model-integrity-error.js';
import { sha256OfFile } from './sha256-of-file.js';

/** A model file braid knows where to download, and what its bytes must hash to. */
export interface PinnedModelFile {
  /** A node-llama-cpp model URI or URL: `hf:owner/repo/file.gguf`, `https://…/file.gguf`. */
  uri: string;
  /** The file's published SHA-256 (lowercase hex); a download that hashes otherwise is deleted. */
  sha256: string;
}

/**
 * The small instruct model braid downloads on the first local run when no model is set. Its
 * SHA-256 is the Git LFS object id Hugging Face publishes for the file (1,117,320,736 bytes).
 */
export const DEFAULT_LOCAL_MODEL: PinnedModelFile = {
  uri: 'hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF/qwen2.5-1.5b-instruct-q4_k_m.gguf',
  sha256: '6a1a2eb6d15622bf3c96857206351ba97e1af16c30d7a74ee38970e434e9407e',
};

/** The URI of the default local model (see `DEFAULT_LOCAL_MODEL`). */
export const DEFAULT_LOCAL_MODEL_URI = DEFAULT_LOCAL_MODEL.uri;

export interface ResolveLocalModelFileOptions {
  /** A path or model URI, with or without the `local:` prefix: `/m/x.gguf`, `local:hf:owner/repo/file.gguf`, `https://…/x.gguf`. */
  spec?: string;
  /** Reads `BRAID_LOCAL_MODEL`, `BRAID_CACHE_DIR`, `BRAID_OFFLINE`, `XDG_CACHE_HOME`. @default process.env */
  env?: Record<string, string | undefined>;
  /** Where the default model (and models named by URI) are kept. @default localModelCacheDirectory(env) */
  cacheDirectory?: string;
  /** Set false (or `BRAID_OFFLINE=1`) to never download. @default true */
  allowDownload?: boolean;
  /** The model used when neither `spec` nor `BRAID_LOCAL_MODEL` names one; its download is checked against its SHA-256. @default DEFAULT_LOCAL_MODEL */
  defaultModel?: PinnedModelFile;
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
 * (`hf:owner/repo/file.gguf`, `https://…`), cached in `cacheDirectory`. Every file must start
 * like a GGUF model, and a download of a pinned file (the default model) must match its SHA-256.
 *
 * @throws LocalModelNotFoundError saying what to set (also for a file that is not a GGUF model);
 *   ModelIntegrityError when a download does not match its SHA-256 (the file is deleted);
 *   LocalEngineNotInstalledError when a URI needs node-llama-cpp and it is not installed.
 * @example
 * const modelPath = await resolveLocalModelFile({ spec: 'local:/models/qwen.gguf' });
 */
export async function resolveLocalModelFile({
  spec,
  env = process.env,
  cacheDirectory = localModelCacheDirectory(env),
  allowDownload = true,
  defaultModel = DEFAULT_LOCAL_MODEL,
  onProgress,
  signal,
  connectTimeoutMs = 10_000,
}: ResolveLocalModelFileOptions = {}): Promise<string> {
  const offline = !allowDownload || isSet(env.BRAID_OFFLINE);
  const requested = stripLocalPrefix(spec) || stripLocalPrefix(env.BRAID_LOCAL_MODEL);
  const source = stripLocalPrefix(spec) ? `--model local:${requested}` : `BRAID_LOCAL_MODEL=${requested}`;

  if (requested && !isUri(requested)) {
    const filePath = path.resolve(requested);
    const problem = await fileProblem(filePath);
    if (problem) {
      throw new LocalModelNotFoundError(
        `no model file at ${filePath} (from ${source}): check the path, or set BRAID_LOCAL_MODEL=/path/to/model.gguf`,
        requested,
        cacheDirectory,
        { cause: problem },
      );
    }
    return assertGguf(filePath, { source, requested, cacheDirectory, isDownload: false });
  }

  // only URIs need node-llama-cpp here; a missing engine must surface as such, not as "no model"
  const { resolveModelFile } = await loadNodeLlamaCpp();
  const uri = requested || defaultModel.uri;
  const pinned = [defaultModel, DEFAULT_LOCAL_MODEL].find((file) => file.uri === uri);
  const fileName = urlFileName(uri);
  const fetchModel = async (): Promise<string> => {
    await assertReachable(uri, connectTimeoutMs, signal);
    const filePath = await resolveModelFile(uri, { directory: cacheDirectory, fileName, download: 'auto', cli: onProgress === undefined, onProgress, signal });
    if (pinned) await verifySha256(uri, filePath, pinned.sha256, signal);
    return filePath;
  };
  const gguf = (filePath: string, isDownload: boolean) =>
    assertGguf(filePath, { source: requested ? source : `the default model ${uri}`, requested: requested || undefined, cacheDirectory, isDownload });

  const cached = await findCached(resolveModelFile, uri, { cacheDirectory, fileName });
  if (cached) return gguf(cached, false);
  if (!offline) {
    try {
      return await gguf(await fetchModel(), true);
    } catch (error) {
      if (error instanceof ModelIntegrityError || error instanceof LocalModelNotFoundError) throw error;
      throw notFound(error);
    }
  }
  throw notFound(new Error(`${uri} is not in ${cacheDirectory}`));

  function notFound(cause: unknown): LocalModelNotFoundError {
    if (requested) {
      return new LocalModelNotFoundError(
        `could not get the model ${requested} (from ${source}) into ${cacheDirectory}` +
          (offline ? ' while offline (BRAID_OFFLINE or allowDownload: false)' : '') +
          ': connect to the internet for the first run, or set BRAID_LOCAL_MODEL=/path/to/model.gguf',
        requested,
        cacheDirectory,
        { cause },
      );
    }
    return new LocalModelNotFoundError(
      `no local model: set BRAID_LOCAL_MODEL=/path/to/model.gguf, or pass --model local:/path/to/model.gguf, ` +
        `or connect to the internet for the first run so braid can download ${uri} into ${cacheDirectory}` +
        (offline ? ' (downloads are off: BRAID_OFFLINE is set or allowDownload is false)' : ''),
      undefined,
      cacheDirectory,
      { cause },
    );
  }
}

/** The file a URI names in the cache, without downloading; undefined when it is not there. */
async function findCached(
  resolveModelFile: NodeLlamaCpp['resolveModelFile'],
  uri: string,
  { cacheDirectory, fileName }: { cacheDirectory: string; fileName: string | undefined },
): Promise<string | undefined> {
  try {
    return await resolveModelFile(uri, { directory: cacheDirectory, fileName, download: false, cli: false });
  } catch {
    return undefined; // node-llama-cpp says "not found" only by throwing
  }
}

async function assertGguf(
  filePath: string,
  { source, requested, cacheDirectory, isDownload }: { source: string; requested: string | undefined; cacheDirectory: string; isDownload: boolean },
): Promise<string> {
  if (await startsWithGgufMagic(filePath)) return filePath;
  // a download that is not a model (an HTML error page, say) would be found again next run: delete it; never a user's own file
  if (isDownload) await rm(filePath, { force: true });
  throw new LocalModelNotFoundError(
    `${filePath} is not a GGUF model file (from ${source})${isDownload ? '; braid deleted the download' : ''}: ` +
      'point --model local:… or BRAID_LOCAL_MODEL at a .gguf file',
    requested,
    cacheDirectory,
    { cause: new Error(`${filePath} does not start with the GGUF magic bytes`) },
  );
}

async function verifySha256(uri: string, filePath: string, expected: string, signal: AbortSignal | undefined): Promise<void> {
  const actual = await sha256OfFile(filePath, signal);
  if (actual === expected.toLowerCase()) return;
  await rm(filePath, { force: true }); // a corrupt or substituted model must not be found in the cache next run
  throw new ModelIntegrityError(uri, filePath, expected, actual);
}

/**
 * The file name a plain http(s) URL is kept under. node-llama-cpp derives names for `hf:` URIs
 * itself, but cannot find a downloaded URL's file again without one.
 */
function urlFileName(uri: string): string | undefined {
  if (!/^https?:\/\//i.test(uri)) return undefined;
  const name = decodeURIComponent(new URL(uri).pathname.split('/').at(-1) ?? '');
  return name.endsWith('.gguf') ? name : undefined;
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
