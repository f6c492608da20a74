/** The oldest Node.js braid runs on: the first 22.x whose `node:sqlite` needs no flag. Kept equal to package.json's `engines.node`. */
export const MINIMUM_NODE_VERSION = '22.13';

/**
 * Why this Node.js cannot run braid, or undefined when it can. Pure, so the check runs before
 * anything that needs a newer Node is loaded.
 *
 * @example
 * nodeVersionProblem('v20.19.2'); // 'braid needs Node.js 22.13 or newer (this is v20.19.2)'
 */
export function nodeVersionProblem(version: string = process.version): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [minimumMajor = 0, minimumMinor = 0] = MINIMUM_NODE_VERSION.split('.').map(Number);
  const isNewEnough = major > minimumMajor || (major === minimumMajor && minor >= minimumMinor);
  return isNewEnough ? undefined : `braid needs Node.js ${MINIMUM_NODE_VERSION} or newer (this is ${version})`;
}
