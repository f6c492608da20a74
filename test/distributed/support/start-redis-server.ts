import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server child on a free loopback port, with its data in a temporary directory. */
export interface RedisServer {
  /** With the password, when there is one: `redis://:password@127.0.0.1:port`. */
  url: string;
  port: number;
  /** Its data directory (AOF files). */
  directory: string;
  /** `SHUTDOWN` (which writes the AOF out) and wait for the process to end. */
  shutdown(): Promise<void>;
  /** Starts redis-server again on the same port and directory: it reloads the AOF. */
  restart(): Promise<void>;
  /** Stops it (if running) and removes its directory. */
  close(): Promise<void>;
}

/** A port that was free a moment ago: redis-server cannot be told to pick one itself. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts `redis-server --appendonly yes --save ''` in a temporary directory: persistence through
 * the AOF only, as the Scaling out section recommends, so a restart keeps queues and budgets. With
 * `password`, it runs with `requirepass`, as the Security section says production Redis must.
 */
export async function startRedisServer({ password }: { password?: string } = {}): Promise<RedisServer> {
  const directory = mkdtempSync(join(tmpdir(), 'braid-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const auth = password === undefined ? ['--protected-mode', 'no'] : ['--requirepass', password];
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--appendonly', 'yes', '--save', '', ...auth], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        if (output.includes('Ready to accept connections')) {
          started.stdout?.off('data', onData);
          started.stdout?.resume(); // keep draining, or a full pipe would block the server
          resolve();
        }
      };
      started.stdout?.on('data', onData);
      started.once('error', reject);
      started.once('exit', (code) => reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
    });
  };

  const stop = async (signal: NodeJS.Signals | 'shutdown'): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    if (signal === 'shutdown') {
      // SHUTDOWN over the protocol: redis-cli ships with redis-server
      spawn('redis-cli', ['-p', String(port), 'SHUTDOWN'], { stdio: 'ignore', env: { ...process.env, ...(password === undefined ? {} : { REDISCLI_AUTH: password }) } });
    } else {
      running.kill(signal);
    }
    await exited;
  };

  await start();
  return {
    url: password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    port,
    directory,
    shutdown: () => stop('shutdown'),
    restart: start,
    async close() {
      await stop('SIGTERM');
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
