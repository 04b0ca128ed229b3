import { expect } from 'chai';
import {
  AUTH_FIXTURE,
  AUTH_REALM,
  credentialsFor,
  expectedIdentity,
  joinAutobahnWith,
  joinPythonWith,
  startAuthRouter,
  startAuthRouterOn,
  wrongCredentialsFor,
  type AuthKind,
  type PythonAuthOutcome,
} from '../helpers/auth-peers.js';
import { describeOnEachTransport, type EmbeddedRouter, type RouterFixture } from '../helpers/embedded-router.js';

const KINDS: readonly AuthKind[] = ['ticket', 'wampcra', 'wampcraSalted', 'cryptosign'];
const PYTHON_SERIALIZERS = ['json', 'cbor', 'msgpack'] as const;

/**
 * Independent clients join the router with AUTH_FIXTURE's credentials, each computing its
 * answers with its own library: Autobahn|JS (JSON), over WebSocket and the in-memory transport,
 * and Autobahn|Python (asyncio; JSON, CBOR, MessagePack) over WebSocket.
 */
describeOnEachTransport('router: authentication cross-checked with Autobahn|JS', (transport) => {
  let fixture: RouterFixture;
  before(async () => {
    fixture = await startAuthRouterOn(transport);
  });
  after(() => fixture.stop());

  for (const kind of KINDS) {
    it(`${kind}: welcomed as ${AUTH_FIXTURE[kind].authid} (${AUTH_FIXTURE[kind].authrole}); a wrong secret is refused`, async () => {
      const peer = await joinAutobahnWith(fixture.clientOptions(), AUTH_REALM, credentialsFor(kind));
      try {
        expect(peer.welcome).to.include(expectedIdentity(kind));
        expect(peer.welcome['authprovider']).to.equal('static');
      } finally {
        await peer.close();
      }
      const refusal = await joinAutobahnWith(fixture.clientOptions(), AUTH_REALM, wrongCredentialsFor(kind)).then(
        async (joined) => {
          await joined.close();
          return expect.fail(`joined with a wrong ${kind} secret`);
        },
        (error: Error) => error.message,
      );
      expect(refusal).to.contain('wamp.error.authentication_denied');
    });
  }
});

// WebSocket only: Autobahn|Python runs in a process of its own, which reaches a router only
// through a socket (the in-memory transport lives inside this process).
describe('router: authentication cross-checked with Autobahn|Python (websocket)', () => {
  let fixture: EmbeddedRouter;
  before(async () => {
    fixture = await startAuthRouter();
  });
  after(() => fixture.stop());

  for (const kind of KINDS) {
    it(`${kind}: welcomed over ${PYTHON_SERIALIZERS.join(', ')}; a wrong secret is refused`, async function () {
      this.timeout(60_000);
      const [good, wrong] = await Promise.all([
        Promise.all(PYTHON_SERIALIZERS.map((serializer) => joinPythonWith(fixture.url, AUTH_REALM, credentialsFor(kind), { serializer }))),
        Promise.all(PYTHON_SERIALIZERS.map((serializer) => joinPythonWith(fixture.url, AUTH_REALM, wrongCredentialsFor(kind), { serializer }))),
      ]);
      good.forEach((outcome: PythonAuthOutcome, index) => {
        expect(outcome, JSON.stringify(outcome)).to.include({
          outcome: 'welcome',
          ...expectedIdentity(kind),
          authprovider: 'static',
          serializer: PYTHON_SERIALIZERS[index],
        });
      });
      for (const outcome of wrong) {
        expect(outcome, JSON.stringify(outcome)).to.include({ outcome: 'refused', reason: 'wamp.error.authentication_denied' });
      }
      if (kind === 'wampcraSalted') {
        const challenge = (good[0] as Extract<PythonAuthOutcome, { outcome: 'welcome' }>).challenge;
        expect(challenge).to.include({
          salt: AUTH_FIXTURE.wampcraSalted.salt,
          iterations: AUTH_FIXTURE.wampcraSalted.iterations,
          keylen: AUTH_FIXTURE.wampcraSalted.keylen,
        });
      }
    });
  }

  it('an anonymous join that claims authid alice and role device is welcomed as anonymous', async () => {
    const outcome = await joinPythonWith(fixture.url, AUTH_REALM, { method: 'anonymous', authid: 'alice', authrole: 'device' });
    expect(outcome).to.include({ outcome: 'welcome', authrole: 'anonymous', authmethod: 'anonymous' });
    expect((outcome as { authid: string }).authid).to.match(/^anonymous-\d+$/);
  });
});
