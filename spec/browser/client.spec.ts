import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { useScenarioPage } from './scenario-page.js';

/**
 * rxwamp in headless Chromium (Debian's, installed by `npm test`'s pretest step): the bundle
 * uses the browser's WebSocket and Web APIs, not Node's, against the embedded router.
 */
describe('browser: rxwamp in headless Chromium', function () {
  this.timeout(60_000);
  const page = useScenarioPage(fileURLToPath(new URL('./page-entry.ts', import.meta.url)));

  for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
    it(`streams progress, carries binary and cancels over ${serializer}`, async () => {
      const report = await page.run('rxwampScenario', `${page.url.replace('http', 'ws')}ws`, serializer);
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
