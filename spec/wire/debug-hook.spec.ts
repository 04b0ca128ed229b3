import { expect } from 'chai';
import { lastValueFrom, toArray } from 'rxjs';
import { cryptosign, ticket, wampcra } from '../../src/auth.js';
import { WampClient, type Authenticator, type MessageDirection } from '../../src/index.js';
import { describeWire, until, type Frame } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

/** The `debug` option: every message in and out, as on the wire, with the secrets redacted. */
describeWire('wire: the debug hook', (t) => {
  type Seen = [MessageDirection, readonly unknown[]];

  async function debugClient(auth?: Authenticator | Authenticator[]): Promise<{ client: WampClient; seen: Seen[] }> {
    await t.restart({ autoWelcome: auth === undefined });
    const seen: Seen[] = [];
    const client = new WampClient({
      url: t.peer.url,
      realm: 'realm1',
      serializers: [serializerEntry(t.serializer)],
      reconnect: false,
      ...(auth ? { auth } : {}),
      debug: (direction, message) => seen.push([direction, message]),
    });
    return { client, seen };
  }

  it('reports a call both ways in order: HELLO out, WELCOME in, CALL out, RESULTs in, GOODBYE both ways', async () => {
    const { client, seen } = await debugClient();
    const results = lastValueFrom(client.call$('com.example.longop', [2]).pipe(toArray()));
    const [, requestId] = await t.peer.next(48);
    t.peer.send([50, requestId, { progress: true }, [0]]);
    t.peer.send([50, requestId, {}, [2]]);
    expect((await results).map((r) => r.args[0])).to.deep.equal([0, 2]);
    await client.close();
    expect(seen.map(([direction, message]) => `${direction} ${String(message[0])}`)).to.deep.equal([
      'out 1',
      'in 2',
      'out 48',
      'in 50',
      'in 50',
      'out 6',
      'in 6',
    ]);
    expect(seen[2]).to.deep.equal(['out', [48, requestId, { receive_progress: true }, 'com.example.longop', [2]]]);
    expect(seen[3]).to.deep.equal(['in', [50, requestId, { progress: true }, [0]]]);
  });

  it('shows the CANCEL an unsubscribe sends', async () => {
    const { client, seen } = await debugClient();
    const subscription = client.call$('com.example.longop', [9]).subscribe();
    const [, requestId] = await t.peer.next(48);
    subscription.unsubscribe();
    await t.peer.next(49);
    await until(() => seen.some(([, message]) => message[0] === 49));
    expect(seen.find(([, message]) => message[0] === 49)).to.deep.equal(['out', [49, requestId, { mode: 'kill' }]]);
    await client.close();
  });

  const secrets: Array<[string, () => Authenticator, Frame, string]> = [
    ['ticket', () => ticket({ authid: 'joe', ticket: 'the-secret-ticket', authextra: { token: 'hello-secret' } }), [4, 'ticket', {}], 'the-secret-ticket'],
    ['wampcra', () => wampcra({ authid: 'peter', secret: 'secret1' }), [4, 'wampcra', { challenge: '{"nonce":"n"}' }], ''],
    [
      'cryptosign',
      () => cryptosign({ authid: 'alice', privateKey: '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510' }),
      [4, 'cryptosign', { challenge: 'a'.repeat(64) }],
      '',
    ],
  ];
  for (const [method, authenticator, challenge, secret] of secrets) {
    it(`${method}: the AUTHENTICATE signature and HELLO's authextra secrets are redacted, the wire is not`, async () => {
      const { client, seen } = await debugClient(authenticator());
      const connected = client.connect();
      const hello = await t.peer.next(1);
      t.peer.send(challenge);
      const [, signature] = await t.peer.next(5);
      expect(signature).to.be.a('string').and.not.equal('<redacted>');
      if (secret) expect(signature).to.equal(secret);
      t.peer.send([2, 9, { authmethod: method, roles: { dealer: {} } }]);
      await connected;
      const authenticate = seen.find(([, message]) => message[0] === 5)!;
      expect(authenticate).to.deep.equal(['out', [5, '<redacted>', {}]]);
      const [, helloSeen] = seen.find(([, message]) => message[0] === 1)!;
      const authextra = (helloSeen[2] as Record<string, unknown>)['authextra'];
      const sentAuthextra = (hello[2] as Record<string, unknown>)['authextra'];
      if (method === 'ticket') {
        expect(sentAuthextra).to.deep.equal({ token: 'hello-secret' });
        expect(authextra).to.deep.equal({ token: '<redacted>' });
      } else if (method === 'cryptosign') {
        // The public key is public by design, and what one checks when a join is refused.
        expect(authextra).to.deep.equal(sentAuthextra).and.to.have.property('pubkey');
      } else {
        expect(authextra).to.equal(undefined);
      }
      expect(JSON.stringify(seen)).not.to.include(String(signature));
      await client.close();
    });
  }

  it('a listener that throws does not disturb the session', async () => {
    await t.restart();
    const client = new WampClient({
      url: t.peer.url,
      realm: 'realm1',
      serializers: [serializerEntry(t.serializer)],
      debug: () => {
        throw new Error('a broken debug listener');
      },
    });
    const result = lastValueFrom(client.call$('com.example.add', [1, 2]));
    const [, requestId] = await t.peer.next(48);
    t.peer.send([50, requestId, {}, [3]]);
    expect((await result).args).to.deep.equal([3]);
    await client.close();
  });

  it('a debug option that is not a function is refused at construction', () => {
    expect(() => new WampClient({ url: 'ws://127.0.0.1:1/ws', realm: 'realm1', debug: 'yes' as never })).to.throw(TypeError, /options\.debug/);
  });
});
