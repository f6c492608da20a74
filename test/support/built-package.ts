import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPOSITORY_ROOT } from './run-cli.js';

const run = promisify(execFile);

/** braid built from this checkout and laid out as npm installs it, in a temporary project. */
export interface BuiltPackage {
  /** The temporary project: `node_modules/braid` (package.json and dist), beside links to this checkout's dependencies. */
  root: string;
  /** `<root>/node_modules/braid`. */
  packageDirectory: string;
  /** Deletes the project. */
  remove(): Promise<void>;
}

export interface BuildPackageOptions {
  /** Dependencies to leave out of the project's node_modules, by package or scope name (e.g. `node-llama-cpp`, `@node-llama-cpp`). */
  without?: readonly string[];
}

/**
 * Builds the package (`tsup`, as `npm run build` does, into the temporary project rather than
 * this checkout's dist, so tests running at once do not clean each other's build) and installs
 * it into a temporary project whose node_modules links this checkout's dependencies, minus
 * `without`. Node and TypeScript then resolve `braid` and its dependencies from there as from a
 * real install, so a missing optional dependency is really missing.
 *
 * @example
 * const built = await buildPackage({ without: ['node-llama-cpp', '@node-llama-cpp'] });
 * afterAll(() => built.remove());
 */
export async function buildPackage({ without = [] }: BuildPackageOptions = {}): Promise<BuiltPackage> {
  const root = await mkdtemp(join(tmpdir(), 'braid-package-'));
  try {
    const packageDirectory = join(root, 'node_modules', 'braid');
    await mkdir(packageDirectory, { recursive: true });
    await run(process.execPath, [join(REPOSITORY_ROOT, 'node_modules', 'tsup', 'dist', 'cli-default.js'), '--out-dir', join(packageDirectory, 'dist')], {
      cwd: REPOSITORY_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    await copyFile(join(REPOSITORY_ROOT, 'package.json'), join(packageDirectory, 'package.json'));
    // the package's other files (samples, data), as `files` in package.json lists them
    const { files = [] } = JSON.parse(await readFile(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { files?: string[] };
    for (const name of files.filter((file) => file !== 'dist')) await symlink(join(REPOSITORY_ROOT, name), join(packageDirectory, name));
    const dependencies = join(REPOSITORY_ROOT, 'node_modules');
    for (const name of await readdir(dependencies)) {
      if (name.startsWith('.') || without.includes(name)) continue;
      await symlink(join(dependencies, name), join(root, 'node_modules', name), 'dir');
    }
    await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'braid-consumer', private: true, type: 'module' }));
    return { root, packageDirectory, remove: () => rm(root, { recursive: true, force: true }) };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Type-checks TypeScript files as a consumer of the built package would: strict, NodeNext
 * modules, and `skipLibCheck: false`, so every declaration file the program reaches (braid's and
 * its dependencies') is checked too. Returns tsc's diagnostics, one per line; empty when clean.
 *
 * @example
 * expect(await typeCheckAgainstPackage(built, { 'consumer.ts': "import { createRuntime } from 'braid';" })).toEqual([]);
 */
export async function typeCheckAgainstPackage(built: BuiltPackage, files: Record<string, string>): Promise<string[]> {
  const directory = await mkdtemp(join(built.root, 'check-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(directory, name), text);
    const compilerOptions = {
      target: 'ES2023',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023', 'DOM'], // the AI SDK's types name fetch's DOM types (HeadersInit, RequestCredentials)
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      types: ['node'],
    };
    await writeFile(join(directory, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: Object.keys(files) }));
    const tsc = join(REPOSITORY_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', directory, '--pretty', 'false'], { cwd: directory }).then(
      ({ stdout }) => stdout,
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    return result.split('\n').filter((line) => line.trim() !== '');
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
