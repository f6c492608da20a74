import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** A server listening on its address. */
export interface ListeningServer {
  /** Where it is, e.g. `http://127.0.0.1:43117/`. */
  url: string;
  /** Every origin a browser on this machine may send for it (`http://127.0.0.1:43117`, `http://localhost:43117`…). */
  origins: ReadonlySet<string>;
  close(): Promise<void>;
}

/** Starts `server` on `host:port` (0: a free one). */
export async function listenLocally(server: Server, host: string, port: number): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const names = LOOPBACK_HOSTS.has(host) ? [...LOOPBACK_HOSTS].filter((name) => name !== '::1') : [urlHost];
  return {
    url: `http://${urlHost}:${address.port}/`,
    origins: new Set(names.map((name) => `http://${name}:${address.port}`)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // keep-alive sockets and event streams from the browser would hold close() open
      }),
  };
}

/**
 * Whether a request to a server bound to `host` must be refused for its Host header: on a loopback
 * address, a page on another site that rebinds its DNS name to 127.0.0.1 must not read the runs
 * through the browser, so only a loopback name with the server's own port is accepted.
 */
export function isForeignHost(request: IncomingMessage, host: string, port: number | undefined): boolean {
  if (!LOOPBACK_HOSTS.has(host)) return false;
  const header = request.headers.host;
  if (header === undefined) return true;
  const separator = header.lastIndexOf(':');
  const hasPort = separator > header.lastIndexOf(']');
  const name = hasPort ? header.slice(0, separator) : header;
  const headerPort = hasPort ? Number(header.slice(separator + 1)) : 80;
  return !(LOOPBACK_HOSTS.has(name.toLowerCase()) && headerPort === port);
}
