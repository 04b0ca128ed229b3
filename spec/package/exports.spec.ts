import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnce, packedFiles, root } from './packed-package.js';

const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

interface EntryTargets {
  readonly import: { types: string; default: string };
  readonly require: { types: string; default: string };
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, EntryTargets | string>; files: string[] };

/** The subpaths besides the root: ./router, ./cbor, ./msgpack, ./auth, ./rawsocket, ./testing. */
const SUBPATHS = Object.keys(manifest.exports).filter((subpath) => subpath !== '.' && subpath !== './package.json');

describe('package: the built exports map', function () {
  this.timeout(120_000);

  before(() => {
    buildOnce();
  });

  it('maps ., ./router, ./cbor, ./msgpack, ./auth, ./rawsocket, ./testing and ./package.json', () => {
    expect(Object.keys(manifest.exports)).to.have.members(['.', './router', './cbor', './msgpack', './auth', './rawsocket', './testing', './package.json']);
  });

  it('require("rxwamp") and its subpaths load the CommonJS build', () => {
    const out = node([
      '-e',
      `
      const { WampClient, WampError, final } = require('rxwamp');
      const { Router } = require('rxwamp/router');
      const { cbor } = require('rxwamp/cbor');
      const { msgpack } = require('rxwamp/msgpack');
      const { ticket } = require('rxwamp/auth');
      const { rawSocket } = require('rxwamp/rawsocket');
      const { createTestRouter } = require('rxwamp/testing');
      console.log([typeof WampClient, typeof WampError, typeof final, typeof Router, cbor.subprotocol, msgpack.subprotocol, typeof ticket, typeof rawSocket.open, typeof createTestRouter,
        ['rxwamp', 'rxwamp/cbor', 'rxwamp/msgpack', 'rxwamp/auth', 'rxwamp/router', 'rxwamp/rawsocket', 'rxwamp/testing'].every((id) => require.resolve(id).includes('dist/cjs'))].join(','));
    `,
    ]);
    expect(out).to.equal('function,function,function,function,wamp.2.cbor,wamp.2.msgpack,function,function,function,true');
  });

  it('import "rxwamp" loads the ES module build and a call works end to end', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `
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
    `,
    ]);
    expect(out).to.equal('[[true,1],[false,2]] true');
  });

  it('import { cbor } from "rxwamp/cbor" and { msgpack } from "rxwamp/msgpack" each carry a call (the only serializer offered)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `
      import { WampClient } from 'rxwamp';
      import { cbor } from 'rxwamp/cbor';
      import { msgpack } from 'rxwamp/msgpack';
      import { Router } from 'rxwamp/router';
      import { lastValueFrom } from 'rxjs';
      const router = new Router({ realms: ['realm1'], serializers: ['json', cbor, msgpack] });
      const { url } = await router.listen({ host: '127.0.0.1', port: 0, path: '/ws' });
      const answers = [];
      for (const serializer of [cbor, msgpack]) {
        const client = new WampClient({ url, realm: 'realm1', serializers: [serializer] });
        await new Promise((resolve) => client.register('com.pkg.echo', (args) => args[0]).subscribe(resolve));
        const result = await lastValueFrom(client.call$('com.pkg.echo', [new Uint8Array([1, 2, 3])]));
        answers.push(serializer.subprotocol + ':' + Array.from(result.args[0]).join(''));
        await client.close();
      }
      console.log(answers.join(','), [import.meta.resolve('rxwamp/cbor'), import.meta.resolve('rxwamp/msgpack')].every((u) => u.includes('dist/esm')));
      await router.close();
    `,
    ]);
    expect(out).to.equal('wamp.2.cbor:123,wamp.2.msgpack:123 true');
  });

  it('import { rawSocket } from "rxwamp/rawsocket" carries a call over rs:// (Node only: the core does not import it)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `
      import { WampClient } from 'rxwamp';
      import { rawSocket } from 'rxwamp/rawsocket';
      import { Router } from 'rxwamp/router';
      import { lastValueFrom } from 'rxjs';
      const router = new Router({ realms: ['realm1'] });
      const { url } = await router.listenRawSocket({ host: '127.0.0.1', port: 0 });
      const client = new WampClient({ url, realm: 'realm1', transports: [rawSocket] });
      await new Promise((resolve) => client.register('com.pkg.echo', (args) => args[0]).subscribe(resolve));
      const result = await lastValueFrom(client.call$('com.pkg.echo', ['over rawsocket']));
      console.log(url.startsWith('rs://127.0.0.1:'), result.args[0], import.meta.resolve('rxwamp/rawsocket').includes('dist/esm'));
      await client.close();
      await router.close();
    `,
    ]);
    expect(out).to.equal('true over rawsocket true');
  });

  it('import { createTestRouter } from "rxwamp/testing" carries a progressive call through the in-memory router', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `
      import { final } from 'rxwamp';
      import { createTestRouter } from 'rxwamp/testing';
      import { concat, lastValueFrom, of, toArray } from 'rxjs';
      const router = createTestRouter();
      const callee = await router.client();
      await new Promise((resolve) => callee.registerStream('com.pkg.check', () => concat(of(1), of(final(2)))).subscribe(resolve));
      const caller = await router.client();
      const results = await lastValueFrom(caller.call$('com.pkg.check').pipe(toArray()));
      console.log(JSON.stringify(results.map((r) => [r.progress, r.args[0]])), router.messages.filter((m) => m.type === 'YIELD').length, import.meta.resolve('rxwamp/testing').includes('dist/esm'));
      await router.close();
    `,
    ]);
    expect(out).to.equal('[[true,1],[false,2]] 2 true');
  });

  it('ships type declarations for both builds of every entry point', () => {
    const declarations = Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [] : [target.import.types, target.require.types]));
    expect(declarations).to.have.length(14);
    for (const file of declarations) expect(existsSync(join(root, file)), file).to.equal(true);
  });

  // Tools that predate "exports" (TypeScript's node10 resolution, webpack 4, Jest < 28, older
  // Metro) look for a folder or file named after the subpath: each subpath has a folder holding
  // only a package.json that points at the same files as the exports map.
  for (const subpath of SUBPATHS) {
    it(`${subpath}/package.json points where the exports map does, and the package ships it`, () => {
      const targets = manifest.exports[subpath] as EntryTargets;
      const folder = subpath.slice(2);
      const stub = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(stub).to.deep.equal({
        main: `.${targets.require.default}`,
        module: `.${targets.import.default}`,
        types: `.${targets.require.types}`,
        sideEffects: false,
      });
      expect(manifest.files).to.include(folder);
      expect(packedFiles()).to.include(`${folder}/package.json`);
    });
  }
});
