import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where braid keeps its databases (runs journal, sample orders): `BRAID_HOME`, else the XDG data folder. */
export function dataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BRAID_HOME) return env.BRAID_HOME;
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'braid');
}
