import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Router, type RouterOptions } from '../../src/router/index.js';
import { ALL_SERIALIZERS } from './codecs.js';

const run = promisify(execFile);

/** PEM texts: the server's private key and certificate, and the CA that signed it (trust this one). */
export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
}

/**
 * Makes a throwaway PKI with the system's openssl (in a temp dir, removed afterwards): a
 * self-signed CA, and a server certificate signed by it for 127.0.0.1 and localhost
 * (subjectAltName IP:127.0.0.1, DNS:localhost). Valid for two days; P-256 keys, so it is fast.
 */
export async function createTestCertificate(): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'rxwamp-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    run('openssl', args, { cwd: dir }).catch((error: Error & { stderr?: string; code?: string }) => {
      const hint = error.code === 'ENOENT' ? ' (openssl is not installed: apt-get install -y --no-install-recommends openssl)' : '';
      throw new Error(`openssl ${args[0]} failed${hint}: ${error.stderr ?? error.message}`);
    });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=rxwamp test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    await openssl('req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost');
    await writeFile(
      file('server.ext'),
      [
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        '',
      ].join('\n'),
    );
    await openssl(
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('server.pem'),
      '-days',
      '2',
      '-extfile',
      file('server.ext'),
    );
    const [key, cert, ca] = await Promise.all(['server.key', 'server.pem', 'ca.pem'].map((name) => readFile(file(name), 'utf8')));
    return { key: key!, cert: cert!, ca: ca! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface TlsRouter {
  /** wss://127.0.0.1:<port>/ws */
  readonly url: string;
  /** The first realm ('realm1' by default). */
  readonly realm: string;
  /** PEM of the CA that signed the server certificate: give it to clients as `ca`. */
  readonly ca: string;
  readonly certificate: TestCertificate;
  readonly router: Router;
  readonly server: Server;
  /** Closes the router (GOODBYE to every session), then the HTTPS server. */
  stop(): Promise<void>;
}

/**
 * The embedded router behind TLS: a `node:https` server on 127.0.0.1 with a free port, the
 * router attached at /ws. Router options as for `new Router` (realms default to ['realm1']);
 * `certificate` reuses one made by createTestCertificate (default: a fresh one).
 */
export async function startTlsRouter(options: Partial<RouterOptions> & { readonly certificate?: TestCertificate } = {}): Promise<TlsRouter> {
  const { certificate: given, ...routerOptions } = options;
  const certificate = given ?? (await createTestCertificate());
  const realms = routerOptions.realms ?? ['realm1'];
  const router = new Router({ serializers: ALL_SERIALIZERS, ...routerOptions, realms, closeGraceMs: routerOptions.closeGraceMs ?? 200 });
  const server = createServer({ key: certificate.key, cert: certificate.cert }, (_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('WAMP over WebSocket only\n');
  });
  router.attach(server, { path: '/ws', refuseOtherPaths: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const first = realms[0]!;
  return {
    url: `wss://127.0.0.1:${port}/ws`,
    realm: typeof first === 'string' ? first : first.uri,
    ca: certificate.ca,
    certificate,
    router,
    server,
    async stop() {
      await router.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
