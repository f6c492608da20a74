import { BraidError } from '../../core/errors.js';

/**
 * The local model was asked for, but its engine, the optional `node-llama-cpp` package, is not
 * installed. braid leaves it out of installs by default: its llama.cpp builds weigh about 700 MB,
 * which a cloud-only user should not download.
 */
export class LocalEngineNotInstalledError extends BraidError {
  override name = 'LocalEngineNotInstalledError';
  /** The command that installs the engine, e.g. `npm install node-llama-cpp@3.21.1`. */
  readonly installCommand: string;
  constructor(installCommand: string, options: { cause: unknown }) {
    super(`the local model needs the optional package node-llama-cpp, which is not installed: run ${installCommand}`, options);
    this.installCommand = installCommand;
  }
}
