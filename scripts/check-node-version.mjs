// `npm test`'s pretest: on an old Node, say what is needed before vitest fails in its own words.
// Plain JavaScript on purpose: it must run on any Node. The minimum is package.json's engines.node,
// which src/cli/node-version.ts repeats (a test keeps the two equal).
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const minimum = engines.node.replace(/^>=\s*/, '');
const [major, minor] = process.versions.node.split('.').map(Number);
const [minimumMajor, minimumMinor] = minimum.split('.').map(Number);
if (major < minimumMajor || (major === minimumMajor && minor < minimumMinor)) {
  process.stderr.write(`braid needs Node.js ${minimum} or newer (this is ${process.version})\n`);
  process.exit(2);
}
