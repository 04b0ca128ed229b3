import { expect } from 'chai';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { cbor } from '../../src/cbor.js';
import { WampClient, WampConnectionError, WampError } from '../../src/index.js';
import { msgpack } from '../../src/msgpack.js';
import { describeWire, ScriptedPeer, settle } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';
import { failure } from '../helpers/failure.js';

describeWire('wire: session', (t) => {
  it('fails the opening with a WampError carrying the ABORT reason', async () => {
    await t.restart({ autoWelcome: false });
    const call = failure(firstValueFrom(t.client.call$('com.myapp.x')));
    await t.peer.next(1);
    t.peer.send([3, { message: 'The realm does not exist.' }, 'wamp.error.no_such_realm']);
    const error = (await call) as WampError;
    expect(error).to.be.instanceOf(WampError);
    expect(error.uri).to.equal('wamp.error.no_such_realm');
    expect(error.message).to.equal('wamp.error.no_such_realm: The realm does not exist.');
    expect(t.peer.sent(48)).to.deep.equal([]);
    expect(t.peer.sent(3)).to.deep.equal([]); // ABORT is never answered
  });

  const malformed: Array<[string, unknown]> = [
    ['an unknown message type', [999, 1, {}]],
    ['an empty array', []],
    ['a RESULT with a string request id', [50, 'one', {}]],
    ['a RESULT with a non-list Arguments', [50, 1, {}, { not: 'a list' }]],
    ['a RESULT with too many elements', [50, 1, {}, [], {}, 'extra']],
    ['an ERROR answering an unknown request type', [8, 99, 1, {}, 'wamp.error.x']],
    ['a second WELCOME', [2, 5, {}]],
    ['a message sent only to routers', [48, 1, {}, 'com.x']],
    ['a non-array', { type: 50 }],
  ];
  for (const [what, frame] of malformed) {
    it(`answers ${what} with ABORT protocol_violation and fails pending calls`, async () => {
      const call = failure(firstValueFrom(t.client.call$('com.myapp.x')));
      await t.peer.next(48);
      t.peer.send(frame as unknown[]);
      const abort = await t.peer.next(3);
      expect(abort[2]).to.equal('wamp.error.protocol_violation');
      const error = (await call) as WampConnectionError;
      expect(error).to.be.instanceOf(WampConnectionError);
      expect([error.code, error.reason, error.retryable]).to.deep.equal(['protocol-violation', 'wamp.error.protocol_violation', true]);
      await t.peer.closed();
    });
  }

  it('answers an undecodable frame with ABORT protocol_violation', async () => {
    const call = failure(firstValueFrom(t.client.call$('com.myapp.x')));
    await t.peer.next(48);
    t.peer.sendRaw(t.serializer === 'json' ? '[50, 1, {' : new Uint8Array([0xc1, 0xff, 0x00, 0xff]));
    expect((await t.peer.next(3))[2]).to.equal('wamp.error.protocol_violation');
    expect(((await call) as WampConnectionError).reason).to.equal('wamp.error.protocol_violation');
  });

  it('gives up with WampConnectionError when the router never answers HELLO', async () => {
    await t.restart({ autoWelcome: false });
    const client = new WampClient({ url: t.peer.url, realm: 'realm1', serializers: [serializerEntry(t.serializer)], connectTimeout: 100 });
    const error = await failure<Error>(firstValueFrom(client.call$('com.myapp.x')));
    expect(error).to.be.instanceOf(WampConnectionError);
    expect((error as WampConnectionError).code).to.equal('timeout');
    expect(error.message).to.equal('the router did not answer HELLO within connectTimeout (100 ms)');
    expect(await t.peer.closed()).to.equal(1006); // dropped: a router that does not answer HELLO would not answer a close handshake either
    expect(t.peer.sent(48)).to.deep.equal([]);
  });

  it('a message before WELCOME is a protocol violation', async () => {
    await t.restart({ autoWelcome: false });
    const connected = failure(t.client.connect());
    await t.peer.next(1);
    t.peer.send([50, 1, {}]);
    expect((await t.peer.next(3))[2]).to.equal('wamp.error.protocol_violation');
    expect(((await connected) as WampConnectionError).reason).to.equal('wamp.error.protocol_violation');
  });

  it('opens a new session for the next operation after one was aborted', async () => {
    const first = failure(firstValueFrom(t.client.call$('com.myapp.x')));
    await t.peer.next(48);
    t.peer.send([12345]);
    await first;
    await t.peer.closed();
    const second = firstValueFrom(t.client.call$('com.myapp.y'));
    const [, id, , procedure] = await t.peer.next(48);
    expect([id, procedure]).to.deep.equal([1, 'com.myapp.y']);
    t.peer.send([50, id, {}, ['fresh']]);
    expect((await second).args).to.deep.equal(['fresh']);
  });

  it('answers a router GOODBYE, and pending calls fail with its reason', async () => {
    const call = failure(firstValueFrom(t.client.call$('com.myapp.x')));
    await t.peer.next(48);
    t.peer.send([6, { message: 'maintenance' }, 'wamp.close.system_shutdown']);
    expect(await t.peer.next(6)).to.deep.equal([6, {}, 'wamp.close.goodbye_and_out']);
    const error = (await call) as WampConnectionError;
    expect([error.code, error.reason, error.retryable]).to.deep.equal(['router-closed', 'wamp.close.system_shutdown', true]);
  });

  it('close() sends GOODBYE, waits for the answer, and fails pending calls', async () => {
    const call = failure(firstValueFrom(t.client.call$('com.myapp.x')));
    await t.peer.next(48);
    await t.client.close();
    expect(await t.peer.next(6)).to.deep.equal([6, {}, 'wamp.close.close_realm']);
    const error = (await call) as WampConnectionError;
    expect(error).to.be.instanceOf(WampConnectionError);
    expect([error.code, error.retryable]).to.deep.equal(['closed', false]);
    expect(t.client.session).to.equal(undefined);
  });

  it('fails pending calls with WampConnectionError when the connection drops', async () => {
    const call = failure(firstValueFrom(t.client.call$('com.myapp.x')));
    await t.peer.next(48);
    t.peer.dropConnection();
    const error = (await call) as WampConnectionError;
    expect(error).to.be.instanceOf(WampConnectionError);
    expect([error.code, error.closeCode, error.retryable]).to.deep.equal(['lost', 1006, true]);
  });

  describe('bad input fails only its own operation and sends nothing', () => {
    const cases: Array<[string, (c: WampClient) => Promise<unknown>, RegExp]> = [
      ['an invalid procedure URI', (c) => firstValueFrom(c.call$('com.my app.x')), /not a valid WAMP URI/],
      ['an empty URI component', (c) => firstValueFrom(c.call$('com..x')), /not a valid WAMP URI/],
      ['a non-string procedure', (c) => firstValueFrom(c.call$(42 as unknown as string)), /must be a string URI/],
      ['args that are not an array', (c) => firstValueFrom(c.call$('com.myapp.x', 'oops' as unknown as unknown[])), /args must be an array, got string/],
      [
        'kwargs that are not a plain object',
        (c) => firstValueFrom(c.call$('com.myapp.x', [], new Map() as unknown as Record<string, unknown>)),
        /kwargs must be a plain object, got Map/,
      ],
      ['an unknown cancel mode', (c) => firstValueFrom(c.call$('com.myapp.x', [], {}, { cancelMode: 'later' as 'kill' })), /cancelMode/],
      ['an unserializable value', (c) => firstValueFrom(c.call$('com.myapp.x', [() => 1])), /cannot serialize a function/],
      [
        'a circular value',
        (c) => {
          const o: Record<string, unknown> = {};
          o['o'] = o;
          return firstValueFrom(c.call$('com.myapp.x', [o]));
        },
        /circular|call stack/i,
      ],
      ['a registration with an invalid URI', (c) => firstValueFrom(c.register('com.#.x', () => 1)), /not a valid WAMP URI/],
      ['a handler that is not a function', (c) => firstValueFrom(c.register('com.myapp.x', 'no' as unknown as () => 1)), /handler must be a function/],
    ];
    for (const [what, operation, message] of cases) {
      it(what, async () => {
        await t.client.connect();
        await t.peer.next(1);
        const error = await failure<Error>(operation(t.client));
        expect(error).to.be.instanceOf(TypeError);
        expect(error.message).to.match(message);
        await settle();
        expect(t.peer.received).to.deep.equal([]);
        // The session is still up and the request-id sequence has no gap.
        const ok = lastValueFrom(t.client.call$('com.myapp.ok').pipe(toArray()));
        const [, id] = await t.peer.next(48);
        expect(id).to.equal(1);
        t.peer.send([50, id, {}, ['fine']]);
        expect((await ok)[0]!.args).to.deep.equal(['fine']);
      });
    }

    it('a wildcard registration may have empty components', async () => {
      t.client.register('com..x', () => 1, { match: 'wildcard' }).subscribe({ error: () => undefined });
      expect(await t.peer.next(64)).to.deep.equal([64, 1, { match: 'wildcard' }, 'com..x']);
    });
  });
});

describe('wire: subprotocol negotiation', () => {
  it('offers serializers in preference order and uses the one the router chose', async () => {
    let offered: string[] = [];
    const peer = await ScriptedPeer.start({
      serializer: 'msgpack',
      chooseProtocol: (protocols) => {
        offered = [...protocols];
        return 'wamp.2.msgpack';
      },
    });
    const client = new WampClient({ url: peer.url, realm: 'realm1', serializers: [cbor, msgpack, 'json'] });
    await client.connect();
    expect(offered).to.deep.equal(['wamp.2.cbor', 'wamp.2.msgpack', 'wamp.2.json']);
    await client.close();
    await peer.stop();
  });

  it('offers JSON alone by default (CBOR and MessagePack are imported, not bundled)', async () => {
    let offered: string[] = [];
    const peer = await ScriptedPeer.start({
      serializer: 'json',
      chooseProtocol: (protocols) => {
        offered = [...protocols];
        return 'wamp.2.json';
      },
    });
    const client = new WampClient({ url: peer.url, realm: 'realm1' });
    await client.connect();
    expect(offered).to.deep.equal(['wamp.2.json']);
    await client.close();
    await peer.stop();
  });

  it('fails with WampConnectionError when the router chose no subprotocol', async () => {
    const peer = await ScriptedPeer.start({ serializer: 'json', chooseProtocol: () => false });
    const client = new WampClient({ url: peer.url, realm: 'realm1', serializers: ['json'] });
    const error = await failure<Error>(client.connect());
    expect(error).to.be.instanceOf(WampConnectionError);
    // ws itself refuses the handshake; browsers do the same. Either way the reason is named.
    expect(error.message).to.match(/subprotocol/i);
    await peer.stop();
  });

  it('fails with WampConnectionError when nothing listens', async () => {
    const peer = await ScriptedPeer.start({ serializer: 'json' });
    const url = peer.url;
    await peer.stop();
    const client = new WampClient({ url, realm: 'realm1', serializers: ['json'] });
    const error = await failure<Error>(firstValueFrom(client.call$('com.myapp.x')));
    expect(error).to.be.instanceOf(WampConnectionError);
    expect(error.message).to.match(/cannot connect/);
  });

  it('rejects an unknown serializer, and names the import for "cbor" and "msgpack", with a TypeError', () => {
    const make = (name: string) => () => new WampClient({ url: 'ws://127.0.0.1:1/ws', realm: 'realm1', serializers: [name as 'json'] });
    expect(make('xml')).to.throw(TypeError, /unknown serializer "xml"/);
    expect(make('cbor')).to.throw(TypeError, /import \{ cbor \} from 'rxwamp\/cbor'/);
    expect(make('msgpack')).to.throw(TypeError, /import \{ msgpack \} from 'rxwamp\/msgpack'/);
  });
});
