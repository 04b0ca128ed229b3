import { expect } from 'chai';
import { payload, WampClient } from '../../src/index.js';
import { MessageType as M } from '../../src/protocol/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { autobahn, connectAutobahn } from '../helpers/autobahn-peer.js';
import { connectWampy as joinWampy, type WampyClient } from '../helpers/wampy-peer.js';

const isInvocation = (m: unknown[]) => m[0] === M.INVOCATION;

/** wampy 8 as the caller: progressive invocations, and binary serializers against a JSON callee. */
describe('router: wampy caller', () => {
  let fixture: EmbeddedRouter;
  const closers: Array<() => Promise<unknown>> = [];
  const connectWampy = async (serializer: 'json' | 'cbor' | 'msgpack' = 'json') => {
    const wampy = await joinWampy(fixture.url, fixture.realm, serializer);
    closers.push(() => wampy.disconnect());
    return wampy;
  };

  beforeEach(async () => {
    fixture = await startEmbeddedRouter();
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await fixture.stop();
  });

  it('progressiveCall: a raw callee sees every chunk under one INVOCATION id, and its YIELD reaches wampy', async () => {
    const callee = await RawPeer.join(fixture.url, fixture.realm);
    closers.push(() => callee.close());
    const registration = await callee.register('com.example.upload');
    const wampy = await connectWampy();
    const upload = wampy.progressiveCall('com.example.upload', { argsList: ['chunk-0'] });
    upload.sendData({ argsList: ['chunk-1'] });
    upload.sendData({ argsList: ['chunk-2'] }, { progress: false });
    const chunks = [await callee.next(isInvocation), await callee.next(isInvocation), await callee.next(isInvocation)];
    const invocationId = chunks[0]![1];
    expect(chunks.map((m) => m[1])).to.deep.equal([invocationId, invocationId, invocationId]);
    expect(chunks.map((m) => m[2])).to.deep.equal([registration, registration, registration]);
    expect(chunks.map((m) => (m[3] as { progress?: boolean }).progress ?? false)).to.deep.equal([true, true, false]);
    expect(chunks.map((m) => m[4])).to.deep.equal([['chunk-0'], ['chunk-1'], ['chunk-2']]);
    callee.send([M.YIELD, invocationId, {}, ['3 chunks'], { bytes: 21 }]);
    const answer = (await upload.result) as { argsList: unknown[]; argsDict: Record<string, unknown> };
    expect(answer.argsList).to.deep.equal(['3 chunks']);
    expect(answer.argsDict).to.deep.equal({ bytes: 21 });
  });

  for (const serializer of ['cbor', 'msgpack'] as const) {
    it(`wampy over ${serializer} calls an Autobahn|JS callee over JSON: payload intact, binary included`, async () => {
      const callee = await connectAutobahn(fixture.url, fixture.realm);
      closers.push(callee.close);
      const seen: unknown[] = [];
      await callee.session.register('com.example.echo', (...invocation: unknown[]) => {
        const [args, kwargs] = invocation as [unknown[], Record<string, unknown>];
        seen.push(args, kwargs);
        // Autobahn|JS JSON keeps \0-prefixed base64 strings as they are: the router turned the
        // caller's binary into that form, and turns it back into binary for the caller.
        return new autobahn.Result([...args, 'from-json'], { ...kwargs, echoed: true });
      });
      const wampy = await connectWampy(serializer);
      const answer = await callEchoWithMixedPayload(wampy);
      const base64 = '\u0000' + Buffer.from(blob).toString('base64');
      expect(seen[0]).to.deep.equal([base64, 'text', 42, 1.5, null, true, { nested: [base64] }]);
      expect(seen[1]).to.deep.equal({ unicode: 'ünï©ødé ✓', empty: '\u0000' });
      const args = answer.argsList;
      expect(toBytes(args[0])).to.deep.equal([...blob]);
      expect(args.slice(1, 6)).to.deep.equal(['text', 42, 1.5, null, true]);
      expect(toBytes((args[6] as { nested: unknown[] }).nested[0])).to.deep.equal([...blob]);
      expect(args[7]).to.equal('from-json');
      expect(answer.argsDict['unicode']).to.equal('ünï©ødé ✓');
      expect(toBytes(answer.argsDict['empty'])).to.deep.equal([]);
      expect(answer.argsDict['echoed']).to.equal(true);
    });
  }

  for (const serializer of ['cbor', 'msgpack'] as const) {
    it(`wampy over ${serializer} calls an rxwamp callee over JSON: payload intact, binary included`, async () => {
      const callee = new WampClient({ url: fixture.url, realm: fixture.realm, serializers: ['json'] });
      closers.push(() => callee.close());
      const seen: unknown[] = [];
      await new Promise<void>((resolve, reject) => {
        callee
          .register('com.example.echo', (args, kwargs) => {
            seen.push(args, kwargs);
            return payload([...args, 'from-json'], { ...kwargs, echoed: true });
          })
          .subscribe({ next: () => resolve(), error: reject });
      });
      const wampy = await connectWampy(serializer);
      const answer = await callEchoWithMixedPayload(wampy);
      // The JSON callee sees real binary: the router re-encoded it as \0+base64 and rxwamp revived it.
      const [args, kwargs] = seen as [unknown[], Record<string, unknown>];
      expect(toBytes(args[0])).to.deep.equal([...blob]);
      expect(toBytes((args[6] as { nested: unknown[] }).nested[0])).to.deep.equal([...blob]);
      expect(toBytes(kwargs['empty'])).to.deep.equal([]);
      expect(answer.argsList.slice(1, 6)).to.deep.equal(['text', 42, 1.5, null, true]);
      expect(toBytes(answer.argsList[0])).to.deep.equal([...blob]);
      expect(answer.argsList[7]).to.equal('from-json');
      expect(answer.argsDict['unicode']).to.equal('ünï©ødé ✓');
      expect(toBytes(answer.argsDict['empty'])).to.deep.equal([]);
      expect(answer.argsDict['echoed']).to.equal(true);
    });
  }
});

const blob = new Uint8Array([0, 1, 2, 253, 254, 255]);

/** Calls com.example.echo with binary (nested too), numbers, null, booleans and Unicode. */
async function callEchoWithMixedPayload(wampy: WampyClient): Promise<{ argsList: unknown[]; argsDict: Record<string, unknown> }> {
  return (await wampy.call('com.example.echo', {
    argsList: [blob, 'text', 42, 1.5, null, true, { nested: [blob] }],
    argsDict: { unicode: 'ünï©ødé ✓', empty: new Uint8Array(0) },
  })) as unknown as { argsList: unknown[]; argsDict: Record<string, unknown> };
}

function toBytes(value: unknown): number[] {
  expect(value, 'a binary value').to.be.instanceOf(Uint8Array);
  return [...(value as Uint8Array)];
}
