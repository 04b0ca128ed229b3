import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELP } from '../../src/router/node/cli.js';
import { packedTarball, root } from './packed-package.js';

/**
 * `npx rxwamp-router` as a newcomer meets it: the packed tarball installed by npm itself (so
 * the bin link, the shebang, the file mode and the runtime dependencies are npm's doing, not
 * ours), the command run from that project. One test: the install is the slow part.
 */
describe('package: the rxwamp-router command from the packed tarball', function () {
  this.timeout(180_000);
  let project: string | undefined;

  after(() => {
    if (project !== undefined) rmSync(project, { recursive: true, force: true });
  });

  it('npx rxwamp-router --help works after npm install <tarball>, and the installed command starts and stops on SIGINT', async () => {
    const tarball = packedTarball();
    project = mkdtempSync(join(tmpdir(), 'rxwamp-npx-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'npx-consumer', private: true, type: 'commonjs' }));
    // --prefer-offline: the npm cache usually has every dependency; --ignore-scripts: no script
    // is needed to start a router (cbor-x and msgpackr, whose native accelerators have install
    // scripts, are optional peers that npm leaves out).
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project, stdio: 'pipe' });

    const help = execFileSync('npx', ['rxwamp-router', '--help'], { cwd: project, encoding: 'utf8' });
    expect(help.trimEnd()).to.equal(HELP.trimEnd());
    const version = execFileSync('npx', ['rxwamp-router', '--version'], { cwd: project, encoding: 'utf8' });
    expect(version.trim()).to.equal((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
    const bin = join(project, 'node_modules/rxwamp/dist/esm/bin/rxwamp-router.js');
    expect(statSync(bin).mode & 0o111, 'executable bit in the tarball').to.not.equal(0);

    // The link npm made (what npx runs), started directly so that SIGINT reaches the router.
    const child = spawn(join(project, 'node_modules/.bin/rxwamp-router'), ['--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          // JSON alone: npm left out the optional peers cbor-x and msgpackr.
          const match = /listening on (ws:\/\/127\.0\.0\.1:\d+\/ws) \(realms: realm1; serializers: json\)\n/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.on('exit', (code) => reject(new Error(`rxwamp-router exited with ${code} before listening: ${stdout}`)));
      });
      expect(url).to.match(/^ws:\/\/127\.0\.0\.1:[1-9]\d*\/ws$/);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).to.equal(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
