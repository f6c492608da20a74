import { homedir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { dataDirectory } from '../../src/store/data-directory.js';
import { defaultStorePath } from '../../src/store/default-store-path.js';

test('the store lives in BRAID_HOME, else in the XDG data folder', () => {
  expect(defaultStorePath({ BRAID_HOME: '/srv/braid', XDG_DATA_HOME: '/data' })).toBe(join('/srv/braid', 'runs.db'));
  expect(defaultStorePath({ XDG_DATA_HOME: '/data' })).toBe(join('/data', 'braid', 'runs.db'));
  expect(dataDirectory({})).toBe(join(homedir(), '.local', 'share', 'braid'));
  // an empty XDG_DATA_HOME counts as unset, as the XDG spec says
  expect(dataDirectory({ XDG_DATA_HOME: '' })).toBe(join(homedir(), '.local', 'share', 'braid'));
});
