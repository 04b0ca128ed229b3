import { expect } from 'chai';
import { cryptosignAuth, deriveCraKey, signCraChallenge, ticketAuth, wampcraAuth } from '../../src/router/index.js';
import { MessageType as M } from '../../src/protocol/index.js';
import { AUTH_REALM, authRouterOptions, connectAutobahnTo, credentialsFor, expectedIdentity, rawAuthJoin, wrongCredentialsFor } from '../helpers/auth-peers.js';
import { autobahn, type AutobahnConnectOptions, type AutobahnPeer } from '../helpers/autobahn-peer.js';
import { describeOnEachTransport, startRouter, useRouterWithRawPeers, type RouterFixture } from '../helpers/embedded-router.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const aliceKeys = autobahn.nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
const malloryKeys = autobahn.nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(9));

// Pure functions: no router, so once, not per transport.
describe('router: authentication', () => {
  describe('WAMP-CRA key and signature (digest §9.3 test vectors)', () => {
    const challenge =
      '{"authid":"peter","authrole":"user","authmethod":"wampcra","authprovider":"userdb","nonce":"LHRTC9zeOIrt_9U3","timestamp":"2014-06-22T16:36:25.448Z","session":3251278072152162}';
    it('derives the salted key', async () => {
      expect(await deriveCraKey('secret1', 'salt123', 100, 16)).to.equal('prq7+YkJ1/KlW1X0YczMHw==');
    });
    it('signs unsalted and salted challenges', async () => {
      expect(await signCraChallenge('secret1', challenge)).to.equal('P3St0OqNrU47A+8MjwhscD+fVHr9ZaKucxn84RPTPOU=');
      expect(await signCraChallenge('prq7+YkJ1/KlW1X0YczMHw==', challenge)).to.equal('VKbx5bubWl2msf2z0L0ryWyy9b6GvM02WgX9+9oOocM=');
    });
  });
});

describeOnEachTransport('router: authentication with Autobahn|JS as the client', (transport) => {
  let fixture: RouterFixture;
  const closers: Array<() => Promise<void>> = [];

  before(async () => {
    const saltyKey = await deriveCraKey('pepper', 'salt123', 100, 16);
    fixture = await startRouter(transport, {
      authenticators: [
        ticketAuth({ principals: { joe: { ticket: 'secret!!!', authrole: 'frontend' } } }),
        wampcraAuth({
          principals: async (authid) =>
            (
              ({
                peter: { secret: 'secret1', authrole: 'user' },
                salty: { secret: saltyKey, salt: 'salt123', iterations: 100, keylen: 16, authrole: 'salted-user' },
              }) as Record<string, { secret: string; authrole: string }>
            )[authid],
        }),
        cryptosignAuth({ principals: { alice: { authrole: 'device', authorizedKeys: [hex(aliceKeys.publicKey)] } } }),
      ],
    });
  });
  after(() => fixture.stop());
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  const join = async (options: AutobahnConnectOptions) => {
    const peer = await connectAutobahnTo(fixture.clientOptions(), fixture.realm, options);
    closers.push(peer.close);
    return peer;
  };
  const welcomeOf = (peer: AutobahnPeer) => peer.welcome as { authid?: string; authrole?: string; authmethod?: string };
  const refusal = (options: AutobahnConnectOptions) =>
    join(options).then(
      () => expect.fail('joined'),
      (error: Error) => error.message,
    );

  it("ticket: admits the right ticket with the principal's role, refuses a wrong one", async () => {
    const peer = await join({ authmethods: ['ticket'], authid: 'joe', onchallenge: (_s, method) => (method === 'ticket' ? 'secret!!!' : '') });
    expect(welcomeOf(peer).authrole).to.equal('frontend');
    expect(welcomeOf(peer).authmethod).to.equal('ticket');
    expect(await refusal({ authmethods: ['ticket'], authid: 'joe', onchallenge: () => 'guess' })).to.contain('wamp.error.authentication_denied');
    expect(await refusal({ authmethods: ['ticket'], authid: 'nobody', onchallenge: () => 'secret!!!' })).to.contain('wamp.error.authentication_denied');
  });

  it('WAMP-CRA: admits a correct signature, refuses a wrong secret and an unknown principal (alike)', async () => {
    const sign = (secret: string) => (_s: unknown, _m: string, extra: Record<string, unknown>) => autobahn.auth_cra.sign(secret, extra['challenge'] as string);
    const peer = await join({ authmethods: ['wampcra'], authid: 'peter', onchallenge: sign('secret1') });
    expect(welcomeOf(peer).authid).to.equal('peter');
    expect(welcomeOf(peer).authrole).to.equal('user');
    expect(await refusal({ authmethods: ['wampcra'], authid: 'peter', onchallenge: sign('secret2') })).to.contain('wamp.error.authentication_denied');
    // An unknown authid is challenged like a known one and refused like a wrong secret (no enumeration).
    expect(await refusal({ authmethods: ['wampcra'], authid: 'paul', onchallenge: sign('secret1') })).to.contain('wamp.error.authentication_denied');
  });

  it('salted WAMP-CRA: the client derives the key from salt, iterations and keylen', async () => {
    const challenges: Array<Record<string, unknown>> = [];
    const salted = (password: string) => (_s: unknown, _m: string, extra: Record<string, unknown>) => {
      challenges.push(extra);
      const key = autobahn.auth_cra.derive_key(password, extra['salt'] as string, extra['iterations'] as number, extra['keylen'] as number);
      return autobahn.auth_cra.sign(key, extra['challenge'] as string);
    };
    const peer = await join({ authmethods: ['wampcra'], authid: 'salty', onchallenge: salted('pepper') });
    expect(welcomeOf(peer).authrole).to.equal('salted-user');
    expect(challenges[0]).to.include({ salt: 'salt123', iterations: 100, keylen: 16 });
    expect(JSON.parse(challenges[0]!['challenge'] as string)).to.include({ authid: 'salty', authmethod: 'wampcra', session: peer.session.id });
    expect(await refusal({ authmethods: ['wampcra'], authid: 'salty', onchallenge: salted('salt') })).to.contain('wamp.error.authentication_denied');
  });

  it('cryptosign: admits a signature by an authorized key, refuses an unknown key and a forged signature', async () => {
    const signWith = (keys: typeof aliceKeys) => (_s: unknown, _m: string, extra: Record<string, unknown>) =>
      autobahn.auth_cryptosign.sign_challenge(keys, extra);
    const peer = await join({
      authmethods: ['cryptosign'],
      authid: 'alice',
      authextra: { pubkey: hex(aliceKeys.publicKey) },
      onchallenge: signWith(aliceKeys),
    });
    expect(welcomeOf(peer).authid).to.equal('alice');
    expect(welcomeOf(peer).authrole).to.equal('device');
    // Without authid the router finds the principal by the key.
    const anonymousId = await join({ authmethods: ['cryptosign'], authextra: { pubkey: hex(aliceKeys.publicKey) }, onchallenge: signWith(aliceKeys) });
    expect(welcomeOf(anonymousId).authid).to.equal('alice');
    // A key nobody authorized is challenged like a known one and refused like a forgery (no enumeration).
    expect(
      await refusal({ authmethods: ['cryptosign'], authid: 'alice', authextra: { pubkey: hex(malloryKeys.publicKey) }, onchallenge: signWith(malloryKeys) }),
    ).to.contain('wamp.error.authentication_denied');
    expect(
      await refusal({ authmethods: ['cryptosign'], authid: 'alice', authextra: { pubkey: hex(aliceKeys.publicKey) }, onchallenge: signWith(malloryKeys) }),
    ).to.contain('wamp.error.authentication_denied');
  });

  it('refuses anonymous joins when only credentials are accepted', async () => {
    expect(await refusal({})).to.contain('wamp.error.no_matching_auth_method');
  });

  it('aborts an AUTHENTICATE that was not asked for', async () => {
    const peer = await fixture.openPeer();
    peer.send([5, 'signature', {}]);
    expect((await peer.next())[2]).to.equal('wamp.error.protocol_violation');
    await peer.close();
  });
});

describeOnEachTransport('router: authentication over every serializer', (transport) => {
  const router = useRouterWithRawPeers(authRouterOptions(), transport);

  for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
    it(`${serializer}: each method welcomes its principal with its role and refuses a wrong secret`, async () => {
      for (const kind of ['ticket', 'wampcra', 'wampcraSalted', 'cryptosign'] as const) {
        const good = await rawAuthJoin(router.fixture, AUTH_REALM, credentialsFor(kind), { serializer });
        const wrong = await rawAuthJoin(router.fixture, AUTH_REALM, wrongCredentialsFor(kind), { serializer });
        await Promise.all([good.peer.close(), wrong.peer.close()]);
        expect(good.peer.protocol).to.equal(`wamp.2.${serializer}`);
        expect(good.outcome[0], `${kind}: ${JSON.stringify(good.outcome)}`).to.equal(M.WELCOME);
        expect(good.outcome[2]).to.include({ ...expectedIdentity(kind), authprovider: 'static' });
        expect([wrong.outcome[0], wrong.outcome[2]], kind).to.deep.equal([M.ABORT, 'wamp.error.authentication_denied']);
      }
    });
  }
});
