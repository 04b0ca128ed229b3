import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { servePageWithRouter, type ServedPage } from '../../demo/longop/browser/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

/**
 * rxwamp/testing in headless Chromium: the in-memory router, bundled for the browser (esbuild
 * refuses a Node import there), runs a page's whole scenario with no socket. The page is served
 * from a loopback server only because WebCrypto needs a secure origin; the router behind it is
 * not used.
 */
describe('browser: rxwamp/testing in headless Chromium', function () {
  this.timeout(60_000);
  let served: ServedPage;
  let browser: Browser;

  before(async () => {
    served = await servePageWithRouter(fileURLToPath(new URL('./testing-page-entry.ts', import.meta.url)), '');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
  });

  for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
    it(`progress, ticket login, CANCEL and INTERRUPT, drop and rejoin, freeze and thaw, over ${serializer}`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(served.url);
      const report = await page.evaluate(
        (name) => (globalThis as unknown as { rxwampTestingScenario(s: string): Promise<unknown> }).rxwampTestingScenario(name),
        serializer,
      );
      await page.close();
      expect(errors).to.deep.equal([]);
      expect(report).to.deep.equal({
        progress: [
          [true, 0],
          [true, 1],
          [true, 2],
          [false, 3],
        ],
        aliceRole: 'admin',
        cancel: { mode: 'kill', interrupted: true, tornDown: true },
        rejoinedAfterDrop: true,
        heldWhileFrozen: true,
        frameKinds: ['number'],
      });
    });
  }
});
