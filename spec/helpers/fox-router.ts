import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';

const require = createRequire(import.meta.url);

interface FoxRouterInstance {
  listenWAMP(options: { host: string; port: number }): WebSocketServer;
}

export interface FoxRouter {
  readonly url: string;
  readonly realm: string;
  stop(): Promise<void>;
}

/**
 * Starts fox-wamp (the in-memory router from npm, JSON only) in this process on 127.0.0.1
 * and a free port. Its realms must match [a-z0-9_]+, so tests use `realm1`.
 */
export async function startFoxRouter(): Promise<FoxRouter> {
  const FoxRouter = require('fox-wamp') as new () => FoxRouterInstance;
  const router = new FoxRouter();
  const server = router.listenWAMP({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    realm: 'realm1',
    async stop() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
