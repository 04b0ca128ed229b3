import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

describe('package: the built exports map', function () {
  this.timeout(120_000);

  before(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
  });

  it('require("rxwamp") and require("rxwamp/router") load the CommonJS build', () => {
    const out = node(['-e', `
      const { WampClient, WampError, final } = require('rxwamp');
      const { Router } = require('rxwamp/router');
      console.log([typeof WampClient, typeof WampError, typeof final, typeof Router, require.resolve('rxwamp').includes('dist/cjs')].join(','));
    `]);
    expect(out).to.equal('function,function,function,function,true');
  });

  it('import "rxwamp" loads the ES module build and a call works end to end', () => {
    const out = node(['--input-type=module', '-e', `
      import { WampClient, final } from 'rxwamp';
      import { Router } from 'rxwamp/router';
      import { concat, lastValueFrom, of, toArray } from 'rxjs';
      const router = new Router({ realms: ['realm1'] });
      const { url } = await router.listen({ host: '127.0.0.1', port: 0, path: '/ws' });
      const client = new WampClient({ url, realm: 'realm1' });
      await new Promise((resolve) => client.registerStream('com.pkg.check', () => concat(of(1), of(final(2)))).subscribe(resolve));
      const results = await lastValueFrom(client.call$('com.pkg.check').pipe(toArray()));
      console.log(JSON.stringify(results.map((r) => [r.progress, r.args[0]])), import.meta.resolve('rxwamp').includes('dist/esm'));
      await client.close();
      await router.close();
    `]);
    expect(out).to.equal('[[true,1],[false,2]] true');
  });

  it('ships type declarations for both builds', () => {
    const out = node(['-e', `
      const fs = require('fs');
      console.log(['dist/esm/index.d.ts', 'dist/cjs/index.d.ts', 'dist/esm/router/index.d.ts', 'dist/cjs/router/index.d.ts'].every((f) => fs.existsSync(f)));
    `]);
    expect(out).to.equal('true');
  });
});
