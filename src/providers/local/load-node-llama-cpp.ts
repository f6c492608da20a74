import { LocalEngineNotInstalledError } from './local-engine-not-installed-error.js';

/** The node-llama-cpp braid is tested with: the optional peer dependency's exact version in package.json. */
export const NODE_LLAMA_CPP_VERSION = '3.21.1';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

/**
 * Imports node-llama-cpp, the local model's engine, on first use: it is an optional peer
 * dependency, so `import 'braid'` must work without it and only a local run asks for it.
 * (Node caches the module: later calls cost nothing.)
 *
 * @throws LocalEngineNotInstalledError saying how to install it, when it is missing.
 * @example
 * const { getLlama } = await loadNodeLlamaCpp();
 */
export async function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  try {
    return await import('node-llama-cpp');
  } catch (error) {
    if (isMissingPackage(error, 'node-llama-cpp')) {
      throw new LocalEngineNotInstalledError(`npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`, { cause: error });
    }
    throw error; // installed but broken (a missing native build, say): its own message says more than ours would
  }
}

function isMissingPackage(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // only node-llama-cpp itself: a dependency of it that is missing is a broken install, not an absent one
  return code === 'ERR_MODULE_NOT_FOUND' && error instanceof Error && error.message.includes(`'${name}'`);
}
