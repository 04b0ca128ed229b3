import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packedTarball } from './packed-package.js';

const require = createRequire(import.meta.url);
const attwBin = join(dirname(require.resolve('@arethetypeswrong/cli/package.json')), 'dist/index.js');

interface Resolution {
  readonly resolution?: { readonly fileName: string };
  readonly implementationResolution?: { readonly fileName: string };
}
interface AttwReport {
  readonly problems: Record<string, unknown[]> | unknown[];
  readonly analysis: { readonly entrypoints: Record<string, { readonly resolutions: Record<string, Resolution> }> };
}

/**
 * arethetypeswrong on the tarball, its JSON report read from a file: attw exits as soon as it
 * has written, which cuts a report longer than a pipe holds (64 KB, ours is twice that).
 */
function arethetypeswrong(tarball: string): { status: number | null; stderr: string; report: AttwReport } {
  const dir = mkdtempSync(join(tmpdir(), 'rxwamp-attw-'));
  try {
    const out = openSync(join(dir, 'report.json'), 'w');
    // --no-definitely-typed: the package has its own types, and the run needs no registry.
    const attw = spawnSync(process.execPath, [attwBin, '--no-definitely-typed', '--format', 'json', tarball], {
      stdio: ['ignore', out, 'pipe'],
      encoding: 'utf8',
    });
    closeSync(out);
    return { status: attw.status, stderr: attw.stderr, report: JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as AttwReport };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ENTRY_POINTS = ['.', './router', './cbor', './msgpack', './auth', './rawsocket', './testing'];

/** The build each resolution mode must land in: require (and node10, which is require) the CommonJS one. */
const BUILD_BY_MODE: Readonly<Record<string, 'esm' | 'cjs'>> = { node10: 'cjs', 'node16-cjs': 'cjs', 'node16-esm': 'esm', bundler: 'esm' };

describe('package: arethetypeswrong on the packed tarball', function () {
  this.timeout(180_000);

  let run: ReturnType<typeof arethetypeswrong>;
  before(() => {
    run = arethetypeswrong(packedTarball());
  });

  it('reports no problem (exit code 0) under node10, node16 (CJS and ESM) and bundler', () => {
    const problems = Object.values(run.report.problems).flat();
    expect(problems, JSON.stringify(run.report.problems, null, 2)).to.deep.equal([]);
    expect(run.status, run.stderr).to.equal(0);
  });

  it('resolves every entry point to its .d.ts and its .js in every resolution mode', () => {
    const { entrypoints } = run.report.analysis;
    expect(Object.keys(entrypoints)).to.include.members(ENTRY_POINTS);
    for (const subpath of ENTRY_POINTS) {
      const modes = entrypoints[subpath]!.resolutions;
      expect(Object.keys(modes), subpath).to.have.members(['node10', 'node16-cjs', 'node16-esm', 'bundler']);
      for (const [mode, found] of Object.entries(modes)) {
        const build = BUILD_BY_MODE[mode];
        expect(found.resolution?.fileName, `${subpath} types under ${mode}`).to.match(new RegExp(`/dist/${build}/.+\\.d\\.ts$`));
        expect(found.implementationResolution?.fileName, `${subpath} code under ${mode}`).to.match(new RegExp(`/dist/${build}/.+\\.js$`));
      }
    }
  });
});
