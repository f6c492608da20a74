#!/usr/bin/env node
// The `braid` command. In a clone of the repository it runs the TypeScript source through tsx (a
// dev dependency), so `npm install && npx braid` works with no build step and never runs a stale
// build; the published package has no src/ and runs its built dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
