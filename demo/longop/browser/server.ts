import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { RouterOptions } from '../../../src/router/index.js';
import { serveWithRouter, type ServedPage } from '../../serve.js';
import { startDemoBackend, type DemoBackend } from '../backend.js';
import { PAGE_BODY, PAGE_HEAD } from './page-body.js';

export type { ServedPage } from '../../serve.js';

/**
 * Bundles `entry` for the browser (esbuild) and serves it in a page, with the embedded router
 * (realm1, or as `routerOptions` say) attached at /ws of the same loopback server.
 */
export async function servePageWithRouter(
  entry: string,
  body: string,
  port = 0,
  routerOptions: RouterOptions = { realms: ['realm1'] },
  head = '<style>body{font:14px/1.5 system-ui,sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em}</style>',
): Promise<ServedPage> {
  const bundle = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent' });
  const script = bundle.outputFiles[0]!.text;
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>rxwamp</title>${head}</head>
<body>${body}<script src="/page.js"></script></body></html>`;
  return serveWithRouter(
    (request, response) => {
      if (request.url === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    },
    port,
    routerOptions,
  );
}

export interface DemoServer extends ServedPage {
  /** The longop callee and counter behind the page (what the router sent it, what it said). */
  readonly backend: DemoBackend;
}

/** How fast longop streams in the browser demos unless told otherwise: slow enough to watch the bar. */
export const BROWSER_INTERVAL_MS = 200;

/** The longop demo page: a progress bar with Cancel, in plain DOM and rxjs, against the Node callee. */
export async function startBrowserDemo(port = 0, intervalMs = BROWSER_INTERVAL_MS, log?: (line: string) => void): Promise<DemoServer> {
  const served = await servePageWithRouter(fileURLToPath(new URL('./page.ts', import.meta.url)), PAGE_BODY, port, { realms: ['realm1'] }, PAGE_HEAD);
  return withDemoBackend(served, intervalMs, log);
}

/** Starts the longop callee and counter against a served page's router; stopping stops both. */
export async function withDemoBackend(served: ServedPage, intervalMs: number, log?: (line: string) => void): Promise<DemoServer> {
  const backend = await startDemoBackend({ url: served.routerUrl, realm: 'realm1', intervalMs, ...(log ? { log } : {}) });
  return {
    ...served,
    backend,
    async stop() {
      await backend.stop();
      await served.stop();
    },
  };
}
