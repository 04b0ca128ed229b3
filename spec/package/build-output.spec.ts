import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { measureBundles } from '../../scripts/bundle-size.js';
import { buildOnce, packedFiles, root } from './packed-package.js';

/**
 * Every module a declaration file reaches by import, reference or `import()` type, following
 * the package's own files: the packages (`rxjs`, `node:http`, …) those types need installed.
 */
function packagesNeededByTypes(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const pending = [resolve(root, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.typeReferenceDirectives) packages.add(fileName);
    for (const { fileName } of [...info.importedFiles, ...info.referencedFiles]) {
      if (fileName.startsWith('.')) pending.push(resolve(dirname(file), fileName.replace(/\.js$/, '.d.ts')));
      else packages.add(fileName);
    }
  }
  return packages;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => join(dir, name));
}

describe('package: what the build emits', function () {
  this.timeout(120_000);

  before(() => {
    buildOnce();
  });

  it("the client entry points' declarations need rxjs and nothing else (no ws, isomorphic-ws, @types/node)", () => {
    for (const build of ['esm', 'cjs']) {
      for (const entry of ['index', 'cbor', 'msgpack', 'auth']) {
        const needed = [...packagesNeededByTypes(`dist/${build}/${entry}.d.ts`)];
        expect(
          needed.filter((name) => name !== 'rxjs'),
          `${build}/${entry}`,
        ).to.deep.equal([]);
      }
    }
  });

  it("rxwamp/router's declarations need Node's own modules (@types/node) and rxjs, not ws", () => {
    for (const build of ['esm', 'cjs']) {
      const needed = [...packagesNeededByTypes(`dist/${build}/router/index.d.ts`)];
      expect(
        needed.filter((name) => !name.startsWith('node:') && name !== 'rxjs'),
        build,
      ).to.deep.equal([]);
    }
  });

  it('every shipped source map carries the sources it maps (src/ is not in the package)', () => {
    const maps = filesUnder(join(root, 'dist')).filter((file) => file.endsWith('.map'));
    expect(maps.length).to.be.greaterThan(40);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: unknown[] };
      expect(map.sourcesContent, relative(root, file)).to.be.an('array').with.length(map.sources.length);
      expect(
        map.sourcesContent!.every((text) => typeof text === 'string' && text.length > 0),
        relative(root, file),
      ).to.equal(true);
    }
    expect(packedFiles().some((path) => path.startsWith('src/'))).to.equal(false);
  });

  it('`npm run size` bundles the same code as the built package (src/ compiled as the build does = dist/esm)', async () => {
    const [fromSource, fromDist] = [await measureBundles({ from: 'src' }), await measureBundles({ from: 'dist' })];
    for (const [index, size] of fromSource.entries()) {
      const code = (bundle: Uint8Array) => Buffer.from(bundle).toString('utf8');
      expect(code(size.code), `${size.app}, rxjs ${size.rxjs}`).to.equal(code(fromDist[index]!.code));
    }
  });
});
