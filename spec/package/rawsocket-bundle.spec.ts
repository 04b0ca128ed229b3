import { expect } from 'chai';
import { APPS, biggestModules, measureBundles, type BundleSize } from '../../scripts/bundle-size.js';

// Issue #21 item 3: the RawSocket transport (node:net, node:tls) is reached only through
// `rxwamp/rawsocket`, so a browser app that imports `rxwamp` never ships any of it.
describe('package: the browser core has no RawSocket code', function () {
  this.timeout(60_000);

  let sizes: BundleSize[];
  before(async () => {
    sizes = await measureBundles();
  });

  it('no module of the RawSocket transport or its framing, and no node: import, in any browser app', () => {
    for (const size of sizes) {
      const modules = biggestModules(size, Infinity).map((m) => m.module);
      expect(
        modules.filter((m) => /src\/(rawsocket|transport\/rawsocket)/.test(m)),
        `${size.app} (${size.rxjs})`,
      ).to.deep.equal([]);
      expect(new TextDecoder().decode(size.code), `${size.app} (${size.rxjs})`).not.to.match(/["']node:(net|tls)["']/);
    }
    expect(sizes.map((s) => s.app)).to.include(APPS[0]!.name);
  });
});
