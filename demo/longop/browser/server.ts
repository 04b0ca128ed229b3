import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Router, type RouterOptions } from '../../../src/router/index.js';

export interface ServedPage {
  /** http://127.0.0.1:<port>/ ; the router answers WebSockets at /ws on the same port. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Bundles `entry` for the browser (esbuild) and serves it in a page, with the embedded router
 * (realm1, or as `routerOptions` say) attached at /ws of the same loopback server.
 */
export async function servePageWithRouter(entry: string, body: string, port = 0, routerOptions: RouterOptions = { realms: ['realm1'] }): Promise<ServedPage> {
  const bundle = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent' });
  const script = bundle.outputFiles[0]!.text;
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>rxwamp</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em}</style></head>
<body>${body}<script src="/page.js"></script></body></html>`;
  const server = createServer((request, response) => {
    if (request.url === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  const router = new Router(routerOptions);
  router.attach(server, { path: '/ws' });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async stop() {
      await router.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The longop demo page. */
export function startBrowserDemo(port = 0): Promise<ServedPage> {
  return servePageWithRouter(fileURLToPath(new URL('./page.ts', import.meta.url)),
    '<h1>rxwamp: com.myapp.longop in the browser</h1><pre id="log"></pre>', port);
}
