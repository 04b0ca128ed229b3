import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { useScenarioPage } from './scenario-page.js';

/**
 * rxwamp/testing in headless Chromium: the in-memory router, bundled for the browser (esbuild
 * refuses a Node import there), runs a page's whole scenario with no socket. The page is served
 * from a loopback server only because WebCrypto needs a secure origin; the router behind it is
 * not used.
 */
describe('browser: rxwamp/testing in headless Chromium', function () {
  this.timeout(60_000);
  const page = useScenarioPage(fileURLToPath(new URL('./testing-page-entry.ts', import.meta.url)));

  for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
    it(`progress, ticket login, CANCEL and INTERRUPT, drop and rejoin, freeze and thaw, over ${serializer}`, async () => {
      expect(await page.run('rxwampTestingScenario', serializer)).to.deep.equal({
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
