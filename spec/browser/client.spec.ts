import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { servePageWithRouter, type ServedPage } from '../../demo/longop/browser/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

/**
 * rxwamp in headless Chromium (Debian's, installed by `npm test`'s pretest step): the bundle
 * uses the browser's WebSocket and Web APIs, not Node's, against the embedded router.
 */
describe('browser: rxwamp in headless Chromium', function () {
  this.timeout(60_000);
  let served: ServedPage;
  let browser: Browser;

  before(async () => {
    served = await servePageWithRouter(fileURLToPath(new URL('./page-entry.ts', import.meta.url)), '');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
  });

  for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
    it(`streams progress, carries binary and cancels over ${serializer}`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(served.url);
      const report = await page.evaluate(
        ([url, name]) => (globalThis as unknown as { rxwampScenario(url: string, s: string): Promise<unknown> }).rxwampScenario(url, name),
        [`${served.url.replace('http', 'ws')}ws`, serializer] as const,
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
        binaryRoundTrip: [255, 2, 1],
        cancelTornDown: true,
        transportProtocol: serializer,
      });
    });
  }
});
