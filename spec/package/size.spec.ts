import { expect } from 'chai';
import { APPS, biggestModules, CORE_GZIP_BUDGET, CORE_GZIP_GOAL, coreBundle, measureBundles, type BundleSize } from '../../scripts/bundle-size.js';

// Bundle sizes are deterministic (same sources, same esbuild, same zlib level): an exact
// budget, not a timing. `npm run size -- --analyze` shows where the bytes go.
describe('package: browser bundle size (esbuild, minified, gzip level 9)', function () {
  this.timeout(60_000);

  let sizes: BundleSize[];
  before(async () => {
    sizes = await measureBundles();
  });

  it(`the core (JSON only, rxjs external) stays under its ceiling of ${CORE_GZIP_BUDGET} bytes gzipped (goal: ${CORE_GZIP_GOAL})`, () => {
    const core = coreBundle(sizes);
    const largest = biggestModules(core, 8)
      .map((m) => `${m.module} ${m.bytes}`)
      .join(', ');
    expect(core.gzip, `core: ${core.gzip} bytes gzipped; largest modules (minified bytes): ${largest}`).to.be.at.most(CORE_GZIP_BUDGET);
  });

  it('the core ships neither cbor-x nor msgpackr, nor anything for Node', () => {
    for (const size of sizes.filter((s) => s.app === APPS[0]!.name)) {
      const modules = biggestModules(size, Infinity).map((m) => m.module);
      expect(
        modules.filter((m) => /node_modules\/(cbor-x|msgpackr|ws)\//.test(m)),
        size.rxjs,
      ).to.deep.equal([]);
    }
  });

  it('rxwamp/cbor and rxwamp/msgpack each add their own library and not the other', () => {
    const modulesOf = (app: string) =>
      biggestModules(
        sizes.find((s) => s.app === app && s.rxjs === 'external')!,
        Infinity,
      )
        .map((m) => m.module)
        .join('\n');
    const [, withCbor, withMsgpack] = APPS.map((app) => modulesOf(app.name));
    expect(withCbor)
      .to.match(/node_modules\/cbor-x\//)
      .and.not.match(/node_modules\/msgpackr\//);
    expect(withMsgpack)
      .to.match(/node_modules\/msgpackr\//)
      .and.not.match(/node_modules\/cbor-x\//);
  });

  it('rxwamp/testing bundles for the browser with no Node module, and adds nothing to the core (its own entry point)', () => {
    const testing = sizes.filter((s) => s.app === APPS[3]!.name);
    expect(testing.map((s) => s.rxjs)).to.have.members(['external', 'included']);
    for (const size of testing) {
      const modules = biggestModules(size, Infinity).map((m) => m.module);
      expect(
        modules.some((m) => m.startsWith('src/testing/')),
        'the test router is in it',
      ).to.equal(true);
      expect(
        modules.some((m) => m.startsWith('src/router/core/')),
        'the router core is in it',
      ).to.equal(true);
      expect(
        modules.filter((m) => m.startsWith('src/router/node/') || /node_modules\/ws\//.test(m)),
        size.rxjs,
      ).to.deep.equal([]);
      expect(new TextDecoder().decode(size.code), size.rxjs).not.to.match(/["']node:/);
    }
    for (const size of sizes.filter((s) => s.app === APPS[0]!.name)) {
      const modules = biggestModules(size, Infinity).map((m) => m.module);
      expect(
        modules.filter((m) => m.startsWith('src/testing') || m.startsWith('src/router/')),
        `core (${size.rxjs})`,
      ).to.deep.equal([]);
    }
  });
});
