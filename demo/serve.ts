import { readFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { cbor } from '../src/cbor.js';
import { msgpack } from '../src/msgpack.js';
import { Router, type RouterOptions } from '../src/router/index.js';

export interface ServedPage {
  /** http://127.0.0.1:<port>/ ; the router answers WebSockets at /ws on the same port. */
  readonly url: string;
  /** ws://127.0.0.1:<port>/ws */
  readonly routerUrl: string;
  stop(): Promise<void>;
}

/**
 * An HTTP server on loopback answering with `handle`, with the embedded router attached at /ws
 * (realm1 unless `routerOptions` say otherwise; JSON, CBOR and MessagePack unless they name
 * serializers: the browser specs use all three).
 */
export async function serveWithRouter(handle: RequestListener, port = 0, routerOptions: RouterOptions = { realms: ['realm1'] }): Promise<ServedPage> {
  const server = createServer(handle);
  const router = new Router({ serializers: ['json', cbor, msgpack], ...routerOptions });
  router.attach(server, { path: '/ws' });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${address}/`,
    routerUrl: `ws://${address}/ws`,
    async stop() {
      await router.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain',
};

/**
 * Serves a built single-page app: its files, and index.html for any other path (the app's own
 * routes, such as /about, reloaded in the browser).
 */
export function serveDirectory(root: string): RequestListener {
  return (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname));
    const file = join(root, path);
    const inside = file.startsWith(root.endsWith(sep) ? root : root + sep);
    const send = (name: string) =>
      readFile(name).then((body) => {
        response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(name)] ?? 'application/octet-stream' }).end(body);
      });
    (inside && extname(path) !== '' ? send(file) : Promise.reject(new Error('a route')))
      .catch(() => send(join(root, 'index.html')))
      .catch(() => response.writeHead(404).end('not built'));
  };
}
