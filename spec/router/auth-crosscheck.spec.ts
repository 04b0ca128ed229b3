import { expect } from 'chai';
import {
  AUTH_FIXTURE,
  AUTH_REALM,
  credentialsFor,
  expectedIdentity,
  joinAutobahnWith,
  joinPythonWith,
  startAuthRouter,
  type AuthCredentials,
  type AuthKind,
  type PythonAuthOutcome,
} from '../helpers/auth-peers.js';
import type { EmbeddedRouter } from '../helpers/embedded-router.js';

const KINDS: readonly AuthKind[] = ['ticket', 'wampcra', 'wampcraSalted', 'cryptosign'];
const PYTHON_SERIALIZERS = ['json', 'cbor', 'msgpack'] as const;

/** The same principal with a wrong secret: another ticket or password, or a key nobody authorized. */
function wrongCredentials(kind: AuthKind): AuthCredentials {
  return kind === 'cryptosign' ? credentialsFor(kind, { seed: AUTH_FIXTURE.strangerSeed }) : credentialsFor(kind, { secret: 'wrong-secret' });
}

/**
 * Independent clients join the embedded router with AUTH_FIXTURE's credentials, each computing
 * its answers with its own library: Autobahn|JS (JSON) and Autobahn|Python (asyncio; JSON,
 * CBOR, MessagePack).
 */
describe('router: authentication cross-checked with Autobahn|JS and Autobahn|Python', () => {
  let fixture: EmbeddedRouter;
  before(async () => {
    fixture = await startAuthRouter();
  });
  after(() => fixture.stop());

  describe('Autobahn|JS', () => {
    for (const kind of KINDS) {
      it(`${kind}: welcomed as ${AUTH_FIXTURE[kind].authid} (${AUTH_FIXTURE[kind].authrole}); a wrong secret is refused`, async () => {
        const peer = await joinAutobahnWith(fixture.url, AUTH_REALM, credentialsFor(kind));
        try {
          expect(peer.welcome).to.include(expectedIdentity(kind));
          expect(peer.welcome['authprovider']).to.equal('static');
        } finally {
          await peer.close();
        }
        const refusal = await joinAutobahnWith(fixture.url, AUTH_REALM, wrongCredentials(kind)).then(
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

  describe('Autobahn|Python', () => {
    for (const kind of KINDS) {
      it(`${kind}: welcomed over ${PYTHON_SERIALIZERS.join(', ')}; a wrong secret is refused`, async function () {
        this.timeout(60_000);
        const [good, wrong] = await Promise.all([
          Promise.all(PYTHON_SERIALIZERS.map((serializer) => joinPythonWith(fixture.url, AUTH_REALM, credentialsFor(kind), { serializer }))),
          Promise.all(PYTHON_SERIALIZERS.map((serializer) => joinPythonWith(fixture.url, AUTH_REALM, wrongCredentials(kind), { serializer }))),
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
});
