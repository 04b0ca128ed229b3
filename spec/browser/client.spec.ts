import { expect } from 'chai';
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { Router } from '../../src/router/index.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';


/**
 * rxwamp in headless Chromium (Debian's, installed by `npm test`'s pretest step): the bundle
 * uses the browser's WebSocket and Web APIs, not Node's, against the embedded router.
 */
describe('browser: rxwamp in headless Chromium', function () {
  this.timeout(60_000);
  let server: Server;
  let router: Router;
  let browser: Browser;
  let origin: string;

  before(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./page-entry.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    server = createServer((request, response) => {
      if (request.url === '/rxwamp.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/rxwamp.js"></script>');
      }
    });
    router = new Router({ realms: ['realm1'] });
    router.attach(server, { path: '/ws' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await router?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
    it(`streams progress, carries binary and cancels over ${serializer}`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(origin);
      const report = await page.evaluate(
        ([url, name]) => (globalThis as unknown as { rxwampScenario(url: string, s: string): Promise<unknown> }).rxwampScenario(url, name),
        [`${origin.replace('http', 'ws')}/ws`, serializer] as const,
      );
      await page.close();
      expect(errors).to.deep.equal([]);
      expect(report).to.deep.equal({
        progress: [[true, 0], [true, 1], [true, 2], [false, 3]],
        binaryRoundTrip: [255, 2, 1],
        cancelTornDown: true,
        transportProtocol: serializer,
      });
    });
  }
});
