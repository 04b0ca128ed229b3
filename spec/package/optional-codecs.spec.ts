// cbor-x and msgpackr are optional peer dependencies: a JSON-only app has neither, and rxwamp,
// its router and its command work without them. What needs one says which package to install.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { consumerProject, root } from './packed-package.js';

interface Manifest {
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The JSON-only app: its own router, a callee and a caller in one process; closes both. */
const JSON_APP_BODY = `
const router = new Router({ realms: ['realm1'] });
const { url } = await router.listen({ host: '127.0.0.1', port: 0 });
const client = new WampClient({ url, realm: 'realm1' });
await new Promise((resolve, reject) => client.register('com.app.add', ([a, b]) => a + b).subscribe({ next: resolve, error: reject }));
const result = await firstValueFrom(client.call$('com.app.add', [2, 3]));
console.log(result.args[0], router.subprotocols.join(','));
await client.close();
await router.close();
`;

/** The app as an ES module. */
const JSON_APP = `
import { WampClient } from 'rxwamp';
import { Router } from 'rxwamp/router';
import { firstValueFrom } from 'rxjs';
${JSON_APP_BODY}`;

/** The same through the CommonJS build (no top-level await there). */
const JSON_APP_CJS = `
const { WampClient } = require('rxwamp');
const { Router } = require('rxwamp/router');
const { firstValueFrom } = require('rxjs');

(async () => {${JSON_APP_BODY}})();
`;

describe('package: cbor-x and msgpackr are optional (a JSON-only app installs neither)', function () {
  this.timeout(180_000);
  let project: string;
  let manifest: Manifest;

  before(() => {
    project = consumerProject({ type: 'module', nodeTypes: false, files: { 'app.mjs': JSON_APP, 'app.cjs': JSON_APP_CJS }, tsconfig: {} });
    manifest = JSON.parse(readFileSync(join(project, 'node_modules/rxwamp/package.json'), 'utf8')) as Manifest;
    // What `npm install rxwamp` puts beside it: its dependencies (rxjs, the one required peer,
    // consumerProject links already). Optional peers are not installed by npm.
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      const link = join(project, 'node_modules', name);
      if (existsSync(link)) continue;
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), link, 'dir');
    }
  });

  const run = (args: readonly string[]) => spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', timeout: 30_000 });

  it('the packed package.json lists them as optional peer dependencies, not as dependencies', () => {
    expect(manifest.dependencies ?? {}).to.not.have.any.keys('cbor-x', 'msgpackr');
    expect(manifest.peerDependencies).to.include.keys('cbor-x', 'msgpackr');
    expect(manifest.peerDependenciesMeta).to.deep.include({ 'cbor-x': { optional: true }, msgpackr: { optional: true } });
    // The project really lacks them, so the tests below cannot pass by finding them somewhere.
    expect(run(['-e', "require.resolve('cbor-x')"]).status).to.not.equal(0);
    expect(run(['-e', "require.resolve('msgpackr')"]).status).to.not.equal(0);
  });

  it('a JSON-only client and router run without them (ES modules and CommonJS): connect, call, close', () => {
    for (const file of ['app.mjs', 'app.cjs']) {
      const result = run([file]);
      expect([result.status, result.stdout.trim(), result.stderr], file).to.deep.equal([0, '5 wamp.2.json', '']);
    }
  });

  it('importing rxwamp/cbor or rxwamp/msgpack fails with an error that names the missing package', () => {
    const cases: Array<[readonly string[], RegExp]> = [
      [['--input-type=module', '-e', "await import('rxwamp/cbor')"], /Cannot find package 'cbor-x'/],
      [['--input-type=module', '-e', "await import('rxwamp/msgpack')"], /Cannot find package 'msgpackr'/],
      [['-e', "require('rxwamp/cbor')"], /Cannot find module 'cbor-x'/],
      [['-e', "require('rxwamp/msgpack')"], /Cannot find module 'msgpackr'/],
    ];
    for (const [args, message] of cases) {
      const result = run(args);
      expect(result.status, args.join(' ')).to.not.equal(0);
      expect(result.stderr, args.join(' ')).to.match(message);
    }
  });

  it('rxwamp-router offers JSON alone, and --serializers cbor exits 1 saying what to install', async () => {
    const bin = join(project, 'node_modules/rxwamp/dist/esm/bin/rxwamp-router.js');
    for (const [flag, name, packageName] of [
      ['cbor', 'cbor', 'cbor-x'],
      ['json,msgpack', 'msgpack', 'msgpackr'],
    ] as const) {
      const refused = run([bin, '--port', '0', '--serializers', flag]);
      expect([refused.status, refused.stderr.trim(), refused.stdout]).to.deep.equal([
        1,
        `rxwamp-router: the ${name} serializer needs the ${packageName} package: npm install ${packageName}`,
        '',
      ]);
    }

    const child = spawn(process.execPath, [bin, '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`rxwamp-router exited with ${code} before listening: ${stdout}`)));
      });
      expect(line).to.match(/^rxwamp-router listening on ws:\/\/127\.0\.0\.1:\d+\/ws \(realms: realm1; serializers: json\)$/);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).to.equal(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
