import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { anonymous, cryptosign, ticket, wampcra } from '../../src/auth.js';
import { WampClient, WampError, type ConnectionState } from '../../src/index.js';
import { describeWire, settle, until, type Frame } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

/** The client side of authentication (digest §9.1): exact HELLO / AUTHENTICATE frames, refusals. */
describeWire('wire: authentication', (t) => {
  async function client(
    auth: ConstructorParameters<typeof WampClient>[0]['auth'],
    extra: Partial<ConstructorParameters<typeof WampClient>[0]> = {},
  ): Promise<WampClient> {
    await t.restart({ autoWelcome: false });
    return new WampClient({ url: t.peer.url, realm: 'realm1', serializers: [serializerEntry(t.serializer)], auth, ...extra });
  }

  it('ticket: HELLO offers the method with authid, the CHALLENGE is answered with the ticket, WELCOME fills the session info', async () => {
    const c = await client(ticket({ authid: 'joe', ticket: 'secret-ticket', authrole: 'user' }));
    const connected = c.connect();
    const hello = await t.peer.next(1);
    expect(hello[1]).to.equal('realm1');
    expect(hello[2]).to.deep.include({ authmethods: ['ticket'], authid: 'joe', authrole: 'user' });
    t.peer.send([4, 'ticket', {}]);
    expect(await t.peer.next(5)).to.deep.equal([5, 'secret-ticket', {}]);
    t.peer.send([2, 77, { authid: 'joe', authrole: 'user', authmethod: 'ticket', authprovider: 'static', authextra: { x: 1 }, roles: { dealer: {} } }]);
    const info = await connected;
    expect(info).to.deep.include({ id: 77, authid: 'joe', authrole: 'user', authmethod: 'ticket', authprovider: 'static', authextra: { x: 1 } });
    await c.close();
  });

  it('several methods in preference order: authmethods lists them, authextra merges (cryptosign pubkey), the router picks', async () => {
    const c = await client([
      cryptosign({ authid: 'alice', privateKey: '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510' }),
      wampcra({ authid: 'alice', secret: 'secret1' }),
      anonymous(),
    ]);
    const connected = c.connect();
    const [, , details] = (await t.peer.next(1)) as [number, string, Record<string, unknown>];
    expect(details['authmethods']).to.deep.equal(['cryptosign', 'wampcra', 'anonymous']);
    expect(details['authid']).to.equal('alice');
    expect(details['authextra']).to.deep.equal({ pubkey: '1adfc8bfe1d35616e64dffbd900096f23b066f914c8c2ffbb66f6075b96e116d' });
    t.peer.send([4, 'wampcra', { challenge: '{"nonce":"n"}' }]);
    const [, signature] = await t.peer.next(5);
    expect(signature).to.be.a('string').with.length(44);
    t.peer.send([2, 5, { authmethod: 'wampcra', roles: {} }]);
    expect((await connected).authmethod).to.equal('wampcra');
    await c.close();
  });

  it('a CHALLENGE for a method that was not offered is answered with ABORT, and the join fails', async () => {
    const c = await client(ticket({ authid: 'joe', ticket: 't' }));
    const connected = c.connect().catch((e: unknown) => e);
    await t.peer.next(1);
    t.peer.send([4, 'wampcra', { challenge: 'x' }]);
    const abort = await t.peer.next(3);
    expect(abort[2]).to.equal('wamp.error.authentication_failed');
    const error = (await connected) as WampError;
    expect(error.uri).to.equal('wamp.error.authentication_failed');
    expect(error.message).to.match(/wampcra challenge, but the client offered ticket/);
  });

  it('a refusal errors every pending operation with a WampError carrying the URI, and is not retried', async () => {
    const states: ConnectionState['status'][] = [];
    const c = await client(ticket({ authid: 'joe', ticket: 'wrong' }), { reconnect: { initialDelay: 10 } });
    c.state$.subscribe((state) => states.push(state.status));
    const call = firstValueFrom(c.call$('com.x')).catch((e: unknown) => e);
    const registration = firstValueFrom(c.register('com.r', () => 1)).catch((e: unknown) => e);
    await t.peer.next(1);
    t.peer.send([4, 'ticket', {}]);
    await t.peer.next(5);
    t.peer.send([3, { message: 'bad ticket' }, 'wamp.error.authentication_failed']);
    for (const error of [await call, await registration]) {
      expect(error).to.be.instanceOf(WampError);
      expect((error as WampError).uri).to.equal('wamp.error.authentication_failed');
    }
    await settle(50);
    expect(t.peer.sent(1)).to.deep.equal([]); // no second HELLO: no retry storm
    expect(states).to.deep.equal(['idle', 'connecting', 'closed']);
  });

  it('secrets given as functions are asked for again on every join (a refreshed ticket after a reconnect)', async () => {
    let issued = 0;
    const answer = (f: Frame) => (f[0] === 1 ? [[4, 'ticket', {}]] : f[0] === 5 ? [[2, 9, { authmethod: 'ticket', roles: {} }]] : undefined);
    await t.restart({ autoWelcome: false, respond: answer });
    const refreshed = new WampClient({
      url: t.peer.url,
      realm: 'realm1',
      serializers: [serializerEntry(t.serializer)],
      auth: ticket({ authid: 'joe', ticket: async () => `ticket-${++issued}` }),
      reconnect: { initialDelay: 10 },
    });
    await refreshed.connect();
    expect((await t.peer.next(5))[1]).to.equal('ticket-1');
    t.peer.dropConnection();
    expect((await t.peer.next(5))[1]).to.equal('ticket-2');
    await until(() => refreshed.state.status === 'open');
    await refreshed.close();
  });

  it('a secret function that throws ends the join with cannot_authenticate, and the secret never appears in the error', async () => {
    const c = await client(
      wampcra({
        authid: 'peter',
        secret: () => {
          throw new Error('vault unreachable');
        },
      }),
    );
    const connected = c.connect().catch((e: unknown) => e);
    await t.peer.next(1);
    t.peer.send([4, 'wampcra', { challenge: 'c' }]);
    expect((await t.peer.next(3))[2]).to.equal('wamp.error.cannot_authenticate');
    const error = (await connected) as WampError;
    expect(error.uri).to.equal('wamp.error.cannot_authenticate');
    expect(error.message).to.match(/could not answer the wampcra challenge: vault unreachable/);

    const leaky = await client(ticket({ authid: 'joe', ticket: 'hunter2' }));
    const refused = leaky.connect().catch((e: unknown) => e);
    await t.peer.next(1);
    t.peer.send([4, 'ticket', {}]);
    await t.peer.next(5);
    t.peer.send([3, {}, 'wamp.error.authentication_failed']);
    const refusal = (await refused) as Error;
    expect(`${refusal.message} ${JSON.stringify(refusal)} ${JSON.stringify(leaky.state)}`).not.to.include('hunter2');
  });
});

describe('wire: authentication options', () => {
  it('refuses an auth option that is not an authenticator with a TypeError', () => {
    expect(() => new WampClient({ url: 'ws://127.0.0.1:1/ws', realm: 'r', auth: { method: 'ticket' } as never })).to.throw(TypeError, /options.auth/);
  });
});
