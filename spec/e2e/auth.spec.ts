import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import { cryptosign, ticket, wampcra } from '../../src/auth.js';
import { importSeed, signCryptosign } from '../../src/auth/ed25519.js';
import { deriveKey, signChallenge } from '../../src/auth/wampcra.js';
import { fromHex } from '../../src/auth/webcrypto.js';
import {
  WampClient,
  WampConnectionError,
  WampError,
  type Authenticator,
  type ConnectionState,
  type SerializerName,
  type WebSocketConstructor,
} from '../../src/index.js';
import { ticketAuth } from '../../src/router/index.js';
import { autobahn } from '../helpers/autobahn-peer.js';
import { AUTH_FIXTURE, AUTH_ONLY_REALM, AUTH_REALM, authRouterOptions, expectedIdentity, startAuthRouter, type AuthKind } from '../helpers/auth-peers.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { until } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';
import { startTcpProxy } from '../helpers/tcp-faults.js';
import { startTlsRouter, type TlsRouter } from '../helpers/tls.js';

/** rxwamp's authentication against the embedded router, cross-checked with autobahn-js. */

function authenticatorFor(kind: AuthKind, wrong = false): Authenticator {
  const f = AUTH_FIXTURE;
  switch (kind) {
    case 'ticket':
      return ticket({ authid: f.ticket.authid, ticket: wrong ? 'not-the-ticket' : f.ticket.ticket });
    case 'wampcra':
      return wampcra({ authid: f.wampcra.authid, secret: wrong ? 'secret2' : f.wampcra.secret });
    case 'wampcraSalted':
      return wampcra({ authid: f.wampcraSalted.authid, secret: wrong ? 'salt-and-vinegar' : f.wampcraSalted.secret });
    case 'cryptosign':
      return cryptosign({ authid: f.cryptosign.authid, privateKey: wrong ? f.strangerSeed : f.cryptosign.seed });
  }
}

/** A WebSocket class that counts connection attempts (to prove there is no retry storm). */
function countingWebSocket(): { WebSocket: WebSocketConstructor; attempts: () => number } {
  let attempts = 0;
  class Counting extends WebSocket {
    constructor(url: string, protocols: string[], options?: WebSocket.ClientOptions) {
      super(url, protocols, options);
      attempts++;
    }
  }
  return { WebSocket: Counting, attempts: () => attempts };
}

const KINDS: readonly AuthKind[] = ['ticket', 'wampcra', 'wampcraSalted', 'cryptosign'];

describe('e2e: authentication against the embedded router', function () {
  this.timeout(30_000);
  let router: EmbeddedRouter;
  before(async () => {
    router = await startAuthRouter();
  });
  after(() => router.stop());

  for (const serializer of ['json', 'cbor', 'msgpack'] as const satisfies readonly SerializerName[]) {
    for (const kind of KINDS) {
      it(`${kind} over ${serializer}: joins with the granted identity; a wrong secret is refused once, without retries`, async () => {
        const client = new WampClient({ url: router.url, realm: AUTH_ONLY_REALM, serializers: [serializerEntry(serializer)], auth: authenticatorFor(kind) });
        const info = await client.connect();
        expect({ authid: info.authid, authrole: info.authrole, authmethod: info.authmethod }).to.deep.equal(expectedIdentity(kind));
        await client.close();

        const counter = countingWebSocket();
        const refused = new WampClient({
          url: router.url,
          realm: AUTH_ONLY_REALM,
          serializers: [serializerEntry(serializer)],
          auth: authenticatorFor(kind, true),
          WebSocket: counter.WebSocket,
          reconnect: { initialDelay: 10 },
        });
        const states: ConnectionState['status'][] = [];
        refused.state$.subscribe((state) => states.push(state.status));
        const [call, registration] = await Promise.all([
          firstValueFrom(refused.call$('com.x')).catch((e: unknown) => e),
          firstValueFrom(refused.register('com.y', () => 1)).catch((e: unknown) => e),
        ]);
        for (const error of [call, registration]) {
          expect(error).to.be.instanceOf(WampError);
          expect((error as WampError).uri).to.equal('wamp.error.authentication_denied');
        }
        expect([counter.attempts(), states]).to.deep.equal([1, ['idle', 'connecting', 'closed']]);
      });
    }
  }

  it('an unknown principal and a forged cryptosign signature are refused with the same URI', async () => {
    const unknown = new WampClient({ url: router.url, realm: AUTH_ONLY_REALM, auth: wampcra({ authid: 'nobody', secret: 'x' }) });
    expect(((await unknown.connect().catch((e: unknown) => e)) as WampError).uri).to.equal('wamp.error.authentication_denied');
    const forged: Authenticator = {
      method: 'cryptosign',
      hello: () => ({ authid: 'alice', authextra: { pubkey: AUTH_FIXTURE.cryptosign.pubkey } }), // alice's key, not her seed
      answer: async (extra) => {
        const { privateKey } = await importSeed(AUTH_FIXTURE.strangerSeed);
        return { signature: await signCryptosign(privateKey, fromHex(extra['challenge'] as string, 'challenge')) };
      },
    };
    const client = new WampClient({ url: router.url, realm: AUTH_ONLY_REALM, auth: forged });
    expect(((await client.connect().catch((e: unknown) => e)) as WampError).uri).to.equal('wamp.error.authentication_denied');
  });

  it('several methods offered in preference order: the router picks one it runs', async () => {
    const client = new WampClient({ url: router.url, realm: AUTH_REALM, auth: [authenticatorFor('cryptosign'), authenticatorFor('ticket')] });
    expect((await client.connect()).authmethod).to.equal('cryptosign');
    await client.close();
  });

  it('signs exactly like autobahn-js for the same challenge (WAMP-CRA plain and salted, cryptosign)', async () => {
    const challenge = JSON.stringify({
      authid: 'peter',
      authrole: 'user',
      authmethod: 'wampcra',
      authprovider: 'static',
      nonce: 'abc123',
      timestamp: '2026-11-26T12:00:00.000Z',
      session: 2 ** 53 - 1,
    });
    expect(await signChallenge('secret1', challenge)).to.equal(autobahn.auth_cra.sign('secret1', challenge));
    const salted = autobahn.auth_cra.derive_key('pepper-pass', 'salt123', 100, 16);
    expect(await deriveKey('pepper-pass', 'salt123', 100, 16)).to.equal(salted);
    expect(await signChallenge(salted, challenge)).to.equal(autobahn.auth_cra.sign(salted, challenge));
    const keyPair = autobahn.nacl.sign.keyPair.fromSeed(fromHex(AUTH_FIXTURE.cryptosign.seed, 'seed'));
    const extra = { challenge: 'a5'.repeat(32), channel_binding: null };
    const theirs = await Promise.resolve(autobahn.auth_cryptosign.sign_challenge(keyPair, extra));
    const ours = await cryptosign({ privateKey: AUTH_FIXTURE.cryptosign.seed }).answer(extra);
    expect(ours.signature).to.equal(theirs);
  });
});

describe('e2e: authentication over wss:// (Node, custom CA)', function () {
  this.timeout(30_000);
  let router: TlsRouter;
  before(async () => {
    router = await startTlsRouter(authRouterOptions());
  });
  after(() => router.stop());

  it('joins with the CA in tls options; without it fails with a WampConnectionError naming the certificate', async () => {
    const trusted = new WampClient({ url: router.url, realm: AUTH_ONLY_REALM, auth: authenticatorFor('ticket'), tls: { ca: router.ca } });
    expect((await trusted.connect()).authid).to.equal('joe');
    await trusted.close();
    const untrusted = new WampClient({ url: router.url, realm: AUTH_ONLY_REALM, auth: authenticatorFor('ticket') });
    const error = (await untrusted.connect().catch((e: unknown) => e)) as WampConnectionError;
    expect(error).to.be.instanceOf(WampConnectionError);
    expect(error.code).to.equal('connect-failed');
    expect(error.message).to.match(/certificate/i);
  });
});

describe('e2e: a reconnect re-authenticates with a refreshed ticket', function () {
  this.timeout(30_000);

  it('asks the ticket function again and joins with the ticket valid now', async () => {
    let generation = 1; // the router accepts only the current generation's ticket
    const router = await startEmbeddedRouter({
      realms: ['realm1'],
      authenticators: [ticketAuth({ principals: (authid) => (authid === 'joe' ? { ticket: `ticket-${generation}`, authrole: 'user' } : undefined) })],
    });
    const proxy = await startTcpProxy(Number(new URL(router.url).port));
    const issued: string[] = [];
    const client = new WampClient({
      url: proxy.url,
      realm: 'realm1',
      reconnect: { initialDelay: 10 },
      auth: ticket({
        authid: 'joe',
        ticket: async () => {
          issued.push(`ticket-${generation}`);
          return `ticket-${generation}`;
        },
      }),
    });
    const registrations: number[] = [];
    client.register('com.refresh.hello', () => 'hi').subscribe({ next: (r) => registrations.push(r.id) });
    await until(() => registrations.length === 1);
    generation = 2; // the old ticket expires
    proxy.dropAll();
    await until(() => registrations.length === 2, 10_000);
    expect(issued).to.deep.equal(['ticket-1', 'ticket-2']);
    expect(client.session?.authid).to.equal('joe');
    await client.close();
    await proxy.close();
    await router.stop();
  });
});
