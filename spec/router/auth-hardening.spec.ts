import { expect } from 'chai';
import { MessageType as M, type Dict } from '../../src/protocol/index.js';
import {
  anonymousAuth,
  cryptosignAuth,
  deriveCraKey,
  Router,
  ticketAuth,
  wampcraAuth,
  type AuthorizationRequest,
  type Authenticator,
  type RouterOptions,
} from '../../src/router/index.js';
import {
  AUTH_FIXTURE,
  AUTH_ONLY_REALM,
  AUTH_REALM,
  credentialAuthenticators,
  credentialsFor,
  ed25519PublicKey,
  rawAuthJoin,
  startAuthRouterOn,
  type AuthCredentials,
  type RawAuthJoin,
} from '../helpers/auth-peers.js';
import { MemoryRouter } from '../../src/testing/memory-router.js';
import { describeOnEachTransport, startRouter, type RouterFixture, type TransportPeer } from '../helpers/embedded-router.js';
import { QueuedRawSession } from '../helpers/raw-session.js';

/** Opens peers for one test and closes them all after it. */
function usePeers() {
  const open: TransportPeer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((peer) => peer.close()));
  });
  return {
    track<T extends TransportPeer | RawAuthJoin>(value: T): T {
      open.push(value instanceof QueuedRawSession ? value : value.peer);
      return value;
    },
  };
}

/** CHALLENGE extra's shape: its keys, and for WAMP-CRA the keys of the JSON challenge string. */
function shapeOf(challenge: unknown[] | undefined): { method: unknown; keys: string[]; challengeKeys?: string[] } {
  expect(challenge?.[0], 'a CHALLENGE').to.equal(M.CHALLENGE);
  const extra = challenge![2] as Dict;
  const shape: { method: unknown; keys: string[]; challengeKeys?: string[] } = { method: challenge![1], keys: Object.keys(extra).sort() };
  if (typeof extra['challenge'] === 'string' && extra['challenge'].startsWith('{'))
    shape.challengeKeys = Object.keys(JSON.parse(extra['challenge']) as Dict).sort();
  return shape;
}

describeOnEachTransport('router: authentication hardening', (transport) => {
  describe('an anonymous session cannot claim an authid or authrole', () => {
    let fixture: RouterFixture;
    const peers = usePeers();
    before(async () => {
      fixture = await startAuthRouterOn(transport);
    });
    after(() => fixture.stop());

    const spoofer = async () => {
      const peer = peers.track(await fixture.openPeer());
      const welcome = await peer.hello(AUTH_REALM, { details: { authmethods: ['anonymous'], authid: 'alice', authrole: 'device' } });
      return { peer, welcome };
    };
    const alice = async () => {
      const joined = peers.track(await rawAuthJoin(fixture, AUTH_REALM, credentialsFor('cryptosign')));
      expect(joined.welcomed, JSON.stringify(joined.outcome)).to.equal(true);
      return joined.peer;
    };

    it('WELCOME carries a generated authid and the anonymous role, not the claimed ones', async () => {
      const { peer, welcome } = await spoofer();
      expect(welcome[0]).to.equal(M.WELCOME);
      const details = welcome[2] as Dict;
      expect(details['authid']).to.not.equal('alice');
      expect(details['authid']).to.equal(`anonymous-${peer.sessionId}`);
      expect(details).to.include({ authrole: 'anonymous', authmethod: 'anonymous' });
    });

    it('also without authmethods (the implicit anonymous join)', async () => {
      const peer = peers.track(await fixture.openPeer());
      const welcome = await peer.hello(AUTH_REALM, { details: { authid: 'alice', authrole: 'device' } });
      expect(welcome[2]).to.include({ authid: `anonymous-${peer.sessionId}`, authrole: 'anonymous', authmethod: 'anonymous' });
    });

    it("a credentialed session gets its principal's role, not the one HELLO asks for", async () => {
      const joined = peers.track(await rawAuthJoin(fixture, AUTH_REALM, credentialsFor('ticket'), { details: { authrole: 'admin' } }));
      expect(joined.outcome[2]).to.include({ authid: AUTH_FIXTURE.ticket.authid, authrole: AUTH_FIXTURE.ticket.authrole, authmethod: 'ticket' });
    });

    it('an eligible_authid: [alice] publication reaches alice, not the spoofer', async () => {
      const [real, { peer: fake }] = [await alice(), await spoofer()];
      const publisher = peers.track(await fixture.joinPeer(AUTH_REALM));
      await real.subscribe('com.example.secret');
      await fake.subscribe('com.example.secret');
      const request = publisher.nextRequestId();
      publisher.send([M.PUBLISH, request, { acknowledge: true, eligible_authid: ['alice'] }, 'com.example.secret', ['for alice']]);
      await publisher.next((m) => m[0] === M.PUBLISHED && m[1] === request);
      expect((await real.next((m) => m[0] === M.EVENT))[4]).to.deep.equal(['for alice']);
      // And exclude_authid: [alice] does not exclude the spoofer. The router delivers to a
      // session in order, so had the first publication reached the spoofer it would come first.
      const second = publisher.nextRequestId();
      publisher.send([M.PUBLISH, second, { acknowledge: true, exclude_authid: ['alice'] }, 'com.example.secret', ['not for alice']]);
      expect((await fake.next((m) => m[0] === M.EVENT))[4]).to.deep.equal(['not for alice']);
      expect(fake.received.filter((m) => m[0] === M.EVENT).map((m) => m[4])).to.deep.equal([['not for alice']]);
    });

    it('a callee with disclose_caller sees the generated authid; a disclosed publisher too', async () => {
      const callee = await alice();
      await callee.register('com.example.whoami', { disclose_caller: true });
      const { peer: fake, welcome } = await spoofer();
      const generated = (welcome[2] as Dict)['authid'];
      fake.call('com.example.whoami');
      const invocation = await callee.next((m) => m[0] === M.INVOCATION);
      expect(invocation[3]).to.include({ caller: fake.sessionId, caller_authid: generated, caller_authrole: 'anonymous' });
      expect((invocation[3] as Dict)['caller_authid']).to.not.equal('alice');

      await callee.subscribe('com.example.who');
      const request = fake.nextRequestId();
      fake.send([M.PUBLISH, request, { disclose_me: true }, 'com.example.who', []]);
      const event = await callee.next((m) => m[0] === M.EVENT);
      expect(event[3]).to.include({ publisher: fake.sessionId, publisher_authid: generated, publisher_authrole: 'anonymous' });
    });
  });

  describe('no user enumeration: unknown principals are challenged like known ones', () => {
    let fixture: RouterFixture;
    const peers = usePeers();
    const join = async (realm: string, credentials: AuthCredentials, signature?: string) =>
      peers.track(await rawAuthJoin(fixture, realm, credentials, signature === undefined ? {} : { signature }));
    const abortOf = (joined: RawAuthJoin) => {
      expect(joined.outcome[0], JSON.stringify(joined.outcome)).to.equal(M.ABORT);
      return { uri: joined.outcome[2] as string, message: (joined.outcome[1] as Dict)['message'] as string };
    };

    before(async () => {
      // realm1: AUTH_FIXTURE (one plain and one salted WAMP-CRA principal); 'salted.only': only salted ones.
      fixture = await startRouter(transport, {
        realms: [
          AUTH_REALM,
          {
            uri: 'salted.only',
            authenticators: [
              wampcraAuth({
                principals: {
                  s1: {
                    secret: await deriveCraKey('pw1', 'Zm9vYmFyYmF6cXV4', 1000, 32),
                    salt: 'Zm9vYmFyYmF6cXV4',
                    iterations: 1000,
                    keylen: 32,
                    authrole: 'user',
                  },
                  s2: {
                    secret: await deriveCraKey('pw2', 'cXV1eGJhemJhcmZv', 1000, 32),
                    salt: 'cXV1eGJhemJhcmZv',
                    iterations: 1000,
                    keylen: 32,
                    authrole: 'user',
                  },
                },
              }),
            ],
          },
        ],
        authenticators: credentialAuthenticators(),
      });
    });
    after(() => fixture.stop());

    it('ticket: an unknown authid gets CHALLENGE {} and the wrong-ticket ABORT (URI and message)', async () => {
      const wrong = await join(AUTH_REALM, credentialsFor('ticket', { secret: 'guess' }));
      const unknown = await join(AUTH_REALM, credentialsFor('ticket', { authid: 'nobody', secret: 'guess' }));
      expect(shapeOf(unknown.challenge)).to.deep.equal(shapeOf(wrong.challenge));
      expect(abortOf(wrong).uri).to.equal('wamp.error.authentication_denied');
      expect(abortOf(unknown)).to.deep.equal({ ...abortOf(wrong), message: abortOf(wrong).message.replace('joe', 'nobody') });
    });

    it("WAMP-CRA: an unknown authid gets a CHALLENGE of a known one's shape and the wrong-secret ABORT", async () => {
      const wrong = await join(AUTH_REALM, credentialsFor('wampcra', { secret: 'guess' }));
      const unknown = await join(AUTH_REALM, credentialsFor('wampcra', { authid: 'paul', secret: 'guess' }));
      expect(abortOf(wrong).uri).to.equal('wamp.error.authentication_denied');
      expect(abortOf(unknown)).to.deep.equal({ ...abortOf(wrong), message: abortOf(wrong).message.replace('peter', 'paul') });
      const unknownExtra = unknown.challenge![2] as Dict;
      const unknownChallenge = JSON.parse(unknownExtra['challenge'] as string) as Dict;
      expect(unknownChallenge).to.include({ authid: 'paul', authmethod: 'wampcra', authprovider: 'static' });
      expect(unknownChallenge['session']).to.be.a('number');
      // It looks like one of the table's principals: its role, and salted exactly when that one is.
      const known = [AUTH_FIXTURE.wampcra, AUTH_FIXTURE.wampcraSalted].find((principal) => principal.authrole === unknownChallenge['authrole']);
      expect(known, `role ${String(unknownChallenge['authrole'])}`).to.not.equal(undefined);
      const twin = await join(AUTH_REALM, credentialsFor(known === AUTH_FIXTURE.wampcra ? 'wampcra' : 'wampcraSalted', { secret: 'guess' }));
      expect(shapeOf(unknown.challenge)).to.deep.equal(shapeOf(twin.challenge));
    });

    it('salted WAMP-CRA: unknown authids get plausible salt parameters, the same on every attempt', async () => {
      const known = await join('salted.only', { method: 'wampcra', authid: 's1', secret: 'guess' });
      const first = await join('salted.only', { method: 'wampcra', authid: 'mallory', secret: 'guess' });
      const again = await join('salted.only', { method: 'wampcra', authid: 'mallory', secret: 'guess' });
      const other = await join('salted.only', { method: 'wampcra', authid: 'trent', secret: 'guess' });
      const extra = (joined: RawAuthJoin) => joined.challenge![2] as Dict;
      expect(shapeOf(first.challenge)).to.deep.equal(shapeOf(known.challenge));
      expect(extra(first)).to.include({ iterations: 1000, keylen: 32 });
      expect(extra(first)['salt'])
        .to.be.a('string')
        .with.length((extra(known)['salt'] as string).length)
        .and.match(/^[A-Za-z0-9+/=]+$/);
      expect(extra(again)['salt'], 'consistent per authid').to.equal(extra(first)['salt']);
      expect(extra(other)['salt'], 'different authids, different salts').to.not.equal(extra(first)['salt']);
      expect(abortOf(first)).to.deep.equal({ ...abortOf(known), message: abortOf(known).message.replace('s1', 'mallory') });
    });

    it('WAMP-CRA with a lookup function: the configured decoys, stable across routers with the same decoySecret', async () => {
      const saltOf = async () => {
        const router = await startRouter(transport, {
          authenticators: [
            wampcraAuth({
              principals: async () => undefined,
              decoys: [{ authrole: 'user', salted: { iterations: 500, keylen: 32, saltLength: 24, saltPadding: 2 } }],
              decoySecret: 'shared by the cluster',
            }),
          ],
        });
        try {
          const joined = await rawAuthJoin(router, 'realm1', { method: 'wampcra', authid: 'eve', secret: 'guess' });
          await joined.peer.close();
          expect(joined.outcome[2]).to.equal('wamp.error.authentication_denied');
          const extra = joined.challenge![2] as Dict;
          expect(extra).to.include({ iterations: 500, keylen: 32 });
          expect(JSON.parse(extra['challenge'] as string)).to.include({ authid: 'eve', authrole: 'user' });
          return extra['salt'] as string;
        } finally {
          await router.stop();
        }
      };
      const salt = await saltOf();
      expect(salt).to.match(/^[A-Za-z0-9+/]{22}==$/);
      expect(await saltOf(), 'another router, same decoySecret').to.equal(salt);
    });

    it('cryptosign: an unknown key gets the same CHALLENGE and the bad-signature ABORT, even correctly signed', async () => {
      const stranger = credentialsFor('cryptosign', { seed: AUTH_FIXTURE.strangerSeed });
      const unknown = await join(AUTH_REALM, stranger);
      const unknownNoAuthid = await join(AUTH_REALM, { ...stranger, authid: undefined });
      // alice's key, signed by someone else.
      const forged = await join(AUTH_REALM, credentialsFor('cryptosign', { seed: AUTH_FIXTURE.strangerSeed, pubkey: AUTH_FIXTURE.cryptosign.pubkey }));
      expect(ed25519PublicKey(AUTH_FIXTURE.strangerSeed)).to.not.equal(AUTH_FIXTURE.cryptosign.pubkey);
      for (const joined of [unknown, unknownNoAuthid]) {
        expect(shapeOf(joined.challenge)).to.deep.equal(shapeOf(forged.challenge));
        expect((joined.challenge![2] as Dict)['challenge']).to.match(/^[0-9a-f]{64}$/);
        expect((joined.challenge![2] as Dict)['channel_binding']).to.equal(null);
        expect(abortOf(joined)).to.deep.equal(abortOf(forged));
      }
      expect(abortOf(forged).uri).to.equal('wamp.error.authentication_denied');
    });

    it('refuses an unknown principal in about the time of a wrong secret', async function () {
      this.timeout(60_000);
      // Round trips from AUTHENTICATE to ABORT; the medians must be close (the router does the same work for both).
      const timeRefusal = async (credentials: AuthCredentials) => {
        const peer = peers.track(await fixture.openPeer());
        peer.send([M.HELLO, AUTH_REALM, { roles: { caller: {} }, authmethods: [credentials.method], authid: credentials.authid }]);
        await peer.next((m) => m[0] === M.CHALLENGE);
        const started = process.hrtime.bigint();
        peer.send([M.AUTHENTICATE, 'not-the-signature', {}]);
        await peer.next((m) => m[0] === M.ABORT);
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      for (const [knownKind, unknownId] of [
        ['ticket', 'nobody'],
        ['wampcra', 'paul'],
        ['wampcraSalted', 'paul2'],
      ] as const) {
        const known: number[] = [];
        const unknown: number[] = [];
        for (let round = 0; round < 15; round++) {
          known.push(await timeRefusal(credentialsFor(knownKind)));
          unknown.push(await timeRefusal(credentialsFor(knownKind, { authid: unknownId })));
        }
        const [a, b] = [median(known), median(unknown)];
        // Loose (a shared machine is noisy), but a key derivation or lookup only one side does would show.
        expect(Math.max(a, b), `${knownKind}: median ${a.toFixed(2)} ms known vs ${b.toFixed(2)} ms unknown`).to.be.below(Math.min(a, b) * 3 + 2);
      }
    });
  });

  describe('per-realm authenticators', () => {
    let fixture: RouterFixture;
    const peers = usePeers();
    before(async () => {
      fixture = await startRouter(transport, {
        realms: [
          { uri: 'realm.private', authenticators: [ticketAuth({ principals: { joe: { ticket: 't1', authrole: 'member' } } })] },
          'realm.public',
          { uri: 'realm.guests', authenticators: [anonymousAuth({ authrole: 'guest' })] },
        ],
      });
    });
    after(() => fixture.stop());

    it('a realm that requires a ticket refuses an anonymous HELLO with no_matching_auth_method', async () => {
      for (const details of [{}, { authmethods: ['anonymous'] }, { authmethods: ['anonymous'], authid: 'joe' }]) {
        const peer = peers.track(await fixture.openPeer());
        const answer = await peer.hello('realm.private', { details });
        expect(answer[0], JSON.stringify(details)).to.equal(M.ABORT);
        expect(answer[2]).to.equal('wamp.error.no_matching_auth_method');
      }
    });

    it('and admits the ticket, with the role its authenticator assigns', async () => {
      const joined = peers.track(await rawAuthJoin(fixture, 'realm.private', { method: 'ticket', authid: 'joe', secret: 't1' }));
      expect(joined.outcome[2]).to.include({ realm: 'realm.private', authid: 'joe', authrole: 'member', authmethod: 'ticket' });
    });

    it("a realm without its own authenticators takes the router's (anonymous by default)", async () => {
      const peer = peers.track(await fixture.openPeer());
      const answer = await peer.hello('realm.public');
      expect(answer[0]).to.equal(M.WELCOME);
      expect(answer[2]).to.include({ realm: 'realm.public', authmethod: 'anonymous', authrole: 'anonymous' });
      // The ticket of realm.private means nothing here.
      const ticketOnly = peers.track(await fixture.openPeer());
      expect((await ticketOnly.hello('realm.public', { details: { authmethods: ['ticket'], authid: 'joe' } }))[2]).to.equal(
        'wamp.error.no_matching_auth_method',
      );
    });

    it("a realm's own anonymousAuth assigns its configured role", async () => {
      const peer = peers.track(await fixture.openPeer());
      const answer = await peer.hello('realm.guests', { details: { authrole: 'admin' } });
      expect(answer[2]).to.include({ authmethod: 'anonymous', authrole: 'guest', authid: `anonymous-${peer.sessionId}` });
    });

    it('AUTH_ONLY_REALM of the shared fixture refuses anonymous joins', async () => {
      const shared = await startAuthRouterOn(transport);
      try {
        const peer = await shared.openPeer();
        expect((await peer.hello(AUTH_ONLY_REALM))[2]).to.equal('wamp.error.no_matching_auth_method');
        await peer.close();
        const joined = await rawAuthJoin(shared, AUTH_ONLY_REALM, credentialsFor('wampcraSalted'));
        expect(joined.outcome[2]).to.include({ authid: 'salty', authrole: 'salted-user', authmethod: 'wampcra' });
        await joined.peer.close();
      } finally {
        await shared.stop();
      }
    });

    it('rejects a realm listed twice or with an invalid URI', () => {
      const construct = (options: RouterOptions) => (transport === 'websocket' ? new Router(options) : new MemoryRouter(options));
      expect(() => construct({ realms: ['a.b', { uri: 'a.b' }] })).to.throw(TypeError, /twice/);
      expect(() => construct({ realms: [{ uri: 'not valid' }] })).to.throw(TypeError, /not a valid WAMP URI/);
    });
  });

  describe('authorization by the authenticated identity', () => {
    let fixture: RouterFixture;
    const peers = usePeers();
    const requests: AuthorizationRequest[] = [];
    const internalErrors: unknown[] = [];
    before(async () => {
      fixture = await startRouter(transport, {
        realms: [
          {
            uri: 'realm.acl',
            authenticators: [anonymousAuth(), ticketAuth({ principals: { joe: { ticket: 't1', authrole: 'member' } } })],
            authorize: (request) => {
              requests.push(request);
              if (request.uri === 'com.example.explode') throw new Error('authorizer bug');
              return request.authrole === 'member' || request.uri.startsWith('com.example.public.');
            },
          },
        ],
        onInternalError: (error) => internalErrors.push(error),
      });
    });
    after(() => fixture.stop());
    beforeEach(() => {
      requests.length = 0;
      internalErrors.length = 0;
    });

    const errorFor = (peer: TransportPeer, type: number, request: number) => peer.next((m) => m[0] === M.ERROR && m[1] === type && m[2] === request);

    it('refuses CALL, REGISTER, SUBSCRIBE and acknowledged PUBLISH with not_authorized; allows what the authorizer allows', async () => {
      const member = peers.track(await rawAuthJoin(fixture, 'realm.acl', { method: 'ticket', authid: 'joe', secret: 't1' })).peer;
      const guest = peers.track(await fixture.openPeer());
      await guest.hello('realm.acl', { details: { authid: 'joe', authrole: 'member' } });
      await member.register('com.example.private.op');

      let request = guest.nextRequestId();
      guest.send([M.REGISTER, request, {}, 'com.example.private.other']);
      expect((await errorFor(guest, M.REGISTER, request))[4]).to.equal('wamp.error.not_authorized');
      request = guest.call('com.example.private.op');
      expect((await errorFor(guest, M.CALL, request))[4]).to.equal('wamp.error.not_authorized');
      request = guest.nextRequestId();
      guest.send([M.SUBSCRIBE, request, { match: 'prefix' }, 'com.example.private']);
      expect((await errorFor(guest, M.SUBSCRIBE, request))[4]).to.equal('wamp.error.not_authorized');
      request = guest.nextRequestId();
      guest.send([M.PUBLISH, request, { acknowledge: true }, 'com.example.private.news', []]);
      expect((await errorFor(guest, M.PUBLISH, request))[4]).to.equal('wamp.error.not_authorized');
      expect(await guest.subscribe('com.example.public.news')).to.be.a('number');

      const subscribeRequest = requests.find((entry) => entry.action === 'subscribe' && entry.uri === 'com.example.private');
      expect(subscribeRequest).to.deep.include({
        realm: 'realm.acl',
        session: guest.sessionId,
        authid: `anonymous-${guest.sessionId}`,
        authrole: 'anonymous',
        authmethod: 'anonymous',
        match: 'prefix',
      });
      expect(requests.find((entry) => entry.action === 'register' && entry.session === member.sessionId)).to.deep.include({
        authid: 'joe',
        authrole: 'member',
        authmethod: 'ticket',
      });
    });

    it('an authorizer that throws refuses and reports the error', async () => {
      const member = peers.track(await rawAuthJoin(fixture, 'realm.acl', { method: 'ticket', authid: 'joe', secret: 't1' })).peer;
      const request = member.call('com.example.explode');
      expect((await errorFor(member, M.CALL, request))[4]).to.equal('wamp.error.not_authorized');
      expect(internalErrors).to.have.length(1);
      expect(member.isOpen).to.equal(true);
    });
  });

  it('an authenticator that returns no proper identity refuses the join (authentication_failed)', async () => {
    const broken: Authenticator = { authmethod: 'anonymous', begin: () => ({ kind: 'welcome', identity: { authid: '', authrole: 'x' } }) };
    const errors: unknown[] = [];
    const fixture = await startRouter(transport, { authenticators: [broken], onInternalError: (error) => errors.push(error) });
    try {
      const peer = await fixture.openPeer();
      expect((await peer.hello('realm1'))[2]).to.equal('wamp.error.authentication_failed');
      expect(errors).to.have.length(1);
      await peer.close();
    } finally {
      await fixture.stop();
    }
  });

  it('cryptosignAuth with a lookup function: an unknown key is challenged, then refused', async () => {
    const fixture = await startRouter(transport, { authenticators: [cryptosignAuth({ principals: () => undefined })] });
    try {
      const joined = await rawAuthJoin(fixture, 'realm1', credentialsFor('cryptosign'));
      expect(joined.challenge?.[0]).to.equal(M.CHALLENGE);
      expect(joined.outcome[2]).to.equal('wamp.error.authentication_denied');
      await joined.peer.close();
    } finally {
      await fixture.stop();
    }
  });
});
