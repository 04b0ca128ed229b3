/**
 * The child-process side of router-process.ts: starts one WAMP router on 127.0.0.1 and prints
 * `{"listening":<port>}` on stdout once it accepts connections (or `{"failed":"<message>"}` and
 * exits 1). Run as `node --import tsx router-main.ts <embedded|fox> <port> <realm>`.
 *
 * Only the JSON line matters to the parent; fox-wamp logs to stdout too, so the parent ignores
 * every other line.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';
import { Router } from '../../src/router/index.js';
import { ALL_SERIALIZERS } from './codecs.js';

type RouterKind = 'embedded' | 'fox';

interface RunningRouter {
  readonly port: number;
  close(): Promise<void>;
}

interface FoxRouterInstance {
  listenWAMP(options: { host: string; port: number }): WebSocketServer;
}

const require = createRequire(import.meta.url);
const HOST = '127.0.0.1';
/** A restarted router may find its port still held for a moment; how often, and how far apart, it retries. */
const BIND_ATTEMPTS = 20;
const BIND_RETRY_MS = 100;

async function startEmbedded(port: number, realm: string): Promise<RunningRouter> {
  const router = new Router({ realms: [realm], serializers: ALL_SERIALIZERS, closeGraceMs: 200 });
  const address = await router.listen({ host: HOST, port, path: '/ws' });
  return { port: address.port, close: () => router.close() };
}

async function startFox(port: number): Promise<RunningRouter> {
  const FoxRouter = require('fox-wamp') as new () => FoxRouterInstance;
  const server = new FoxRouter().listenWAMP({ host: HOST, port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}

async function startWithRetries(kind: RouterKind, port: number, realm: string): Promise<RunningRouter> {
  for (let attempt = 1; ; attempt++) {
    try {
      return kind === 'embedded' ? await startEmbedded(port, realm) : await startFox(port);
    } catch (error) {
      if (!isAddressInUse(error) || port === 0 || attempt >= BIND_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, BIND_RETRY_MS));
    }
  }
}

function parseArguments(): { kind: RouterKind; port: number; realm: string } {
  const [kind, port = '0', realm = 'realm1'] = process.argv.slice(2);
  if (kind !== 'embedded' && kind !== 'fox') throw new Error(`router-main: unknown router kind ${String(kind)}`);
  const portNumber = Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) throw new Error(`router-main: bad port ${port}`);
  return { kind, port: portNumber, realm };
}

function report(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  // The parent holds our stdin open; when it dies without killing us (SIGKILL, crash), the
  // pipe reaches EOF and we go too, so no router outlives its test run.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();

  const { kind, port, realm } = parseArguments();
  const router = await startWithRetries(kind, port, realm);
  // SIGTERM is the polite kill: the router says GOODBYE and closes its sockets first.
  process.once('SIGTERM', () => {
    const forceExit = setTimeout(() => process.exit(1), 2000);
    void router.close().finally(() => {
      clearTimeout(forceExit);
      process.exit(0);
    });
  });
  report({ listening: router.port });
}

main().catch((error: unknown) => {
  report({ failed: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
