// `prepare`: npm links the bins of a project's dependencies into node_modules/.bin, never the
// project's own, so in a clone `npx braid` said "braid: not found". Link it, as npm would for a
// dependency. Plain JavaScript: it runs before anything is built.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';

const binDirectory = new URL('../node_modules/.bin/', import.meta.url);
const link = new URL('braid', binDirectory);
mkdirSync(binDirectory, { recursive: true });
rmSync(link, { force: true });
symlinkSync('../../bin/braid.js', link);
