import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { root } from './packed-package.js';

interface Manifest {
  readonly engines?: { readonly node?: string };
  readonly repository?: { readonly type?: string; readonly url?: string };
  readonly homepage?: string;
  readonly bugs?: { readonly url?: string };
  readonly scripts: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

interface LockedPackage {
  readonly version?: string;
  readonly engines?: { readonly node?: string } | readonly string[];
  readonly dev?: boolean;
  readonly optional?: boolean;
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };
const supported = manifest.engines?.node ?? '';

/** The lowest release of each Node line (20, 22, 24) the range admits: where a clean install must not warn. */
function lowestOfEachLine(range: string): string[] {
  return [20, 22, 24].flatMap((major) => {
    for (let minor = 0; minor < 100; minor++) {
      const version = `${major}.${minor}.0`;
      if (semver.satisfies(version, range)) return [version];
    }
    return [];
  });
}

describe('package: hygiene (issue #20)', () => {
  it('names its repository, homepage and issue tracker', () => {
    expect(manifest.repository?.type).to.equal('git');
    expect(manifest.repository?.url).to.match(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    expect(manifest.homepage).to.match(/^https:\/\//);
    expect(manifest.bugs?.url).to.match(/^https:\/\/.+\/issues$/);
  });

  it('supports one Node range, which this Node is in, and the README and CONTRIBUTING.md state it', () => {
    expect(semver.validRange(supported), supported).to.be.a('string');
    expect(semver.satisfies(process.versions.node, supported), `${process.versions.node} in ${supported}`).to.equal(true);
    for (const file of ['README.md', 'CONTRIBUTING.md']) {
      expect(readFileSync(join(root, file), 'utf8'), file).to.include(supported);
    }
  });

  it('every locked package (runtime and dev) runs on the lowest Node of each line the range admits: no EBADENGINE on a clean install', () => {
    const lowest = lowestOfEachLine(supported);
    expect(lowest).to.include('20.19.0');
    const refused: string[] = [];
    for (const [path, locked] of Object.entries(lock.packages)) {
      const engines = locked.engines;
      const wanted = engines && !Array.isArray(engines) ? (engines as { node?: string }).node : undefined;
      if (!path || !wanted || !semver.validRange(wanted)) continue;
      for (const version of lowest) {
        if (!semver.satisfies(version, wanted))
          refused.push(`${path.replace(/^.*node_modules\//, '')}@${locked.version ?? '?'} wants node ${wanted}, refuses ${version}`);
      }
    }
    expect(refused, refused.join('\n')).to.deep.equal([]);
  });

  it('builds once when packed: the build is the prepare script, and nothing else in the pack lifecycle builds', function () {
    // The pack runs the whole build (about 12 s unloaded; a loaded 2-core machine takes longer).
    this.timeout(180_000);
    expect(manifest.scripts['prepare']).to.equal('node scripts/build.mjs');
    for (const hook of ['prepack', 'postpack', 'prepublish', 'prepublishOnly']) expect(manifest.scripts[hook], hook).to.equal(undefined);
    const output = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    // npm prints the lifecycle scripts' output before its JSON: the build says so once.
    expect(output.match(/built dist\/esm and dist\/cjs/g) ?? []).to.have.length(1);
  });
});
