import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Router } from '../../../src/router/index.js';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>rxwamp longop</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em}</style></head>
<body><h1>rxwamp: com.myapp.longop in the browser</h1><pre id="log"></pre><script src="/page.js"></script></body></html>`;

/** Serves the browser demo page and the embedded router (at /ws) from one loopback port. */
export async function startBrowserDemo(port = 0): Promise<{ url: string; stop(): Promise<void> }> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  const server = createServer((request, response) => {
    if (request.url === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  const router = new Router({ realms: ['realm1'] });
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
