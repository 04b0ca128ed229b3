import { expect } from 'chai';
import type { Observable } from 'rxjs';
import type { Registration, WampClient } from '../../src/index.js';
import type { Router } from '../../src/router/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from './embedded-router.js';
import { fromPeerJson, type PeerEvent, type PythonSerializer } from './python-peer.js';
import { serializer as serializerEntry } from './serializers.js';
import { useClients } from './tracked-clients.js';

/**
 * What the Autobahn|Python e2e specs (spec/e2e/python.spec.ts over WebSocket,
 * python-rawsocket.spec.ts over RawSocket) share: the embedded router with rxwamp clients on
 * it, the payload every integer and bytes test sends, and the checks of what each side received.
 */

export const PYTHON_SERIALIZERS: readonly PythonSerializer[] = ['json', 'cbor', 'msgpack'];

export interface RouterWithClients {
  /** The embedded router, started before the block's tests and stopped after them. */
  readonly fixture: EmbeddedRouter;
  /** An rxwamp client over WebSocket with `serializer`, on `router` (default the fixture); closed after the test. */
  newClient(serializer: PythonSerializer, router?: EmbeddedRouter): WampClient;
}

/** One embedded router for the describe block; rxwamp clients on it that are closed after each test. */
export function useRouterWithClients(): RouterWithClients {
  let running: EmbeddedRouter | undefined;
  const client = useClients();
  before(async () => {
    running = await startEmbeddedRouter();
  });
  after(async () => {
    await running?.stop();
  });
  const fixture = (): EmbeddedRouter => {
    if (!running) throw new Error('the embedded router runs only inside the describe block');
    return running;
  };
  return {
    get fixture() {
      return fixture();
    },
    newClient: (serializer, router = fixture()) => client({ url: router.url, realm: router.realm, serializers: [serializerEntry(serializer)] }),
  };
}

/** Subscribes and resolves once REGISTERED arrived; the registration lasts until `stop()`. */
export function registered(registration: Observable<Registration>): Promise<{ stop(): void }> {
  return new Promise((resolve, reject) => {
    const subscription = registration.subscribe({ next: () => resolve({ stop: () => subscription.unsubscribe() }), error: reject });
  });
}

/**
 * Sessions subscribed to `topic` in the embedded router's broker: how a test knows an rxwamp
 * topic$ is live before anyone publishes. The router has no public view of its broker, so
 * this reads its private tables (TypeScript allows that with element access).
 */
export function routerSubscribers(router: Router, realm: string, topic: string): number {
  const broker = router['realms'].get(realm)?.broker;
  return broker?.['subscriptions'].matching(topic).reduce((count, subscription) => count + subscription.subscribers.size, 0) ?? 0;
}

const BIG = 2 ** 32;
const MAX_SAFE = 2 ** 53 - 1;
const BYTES = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
/** What every integer and bytes test sends, and what the Python side must report for it. */
export const ARGS = [BIG, MAX_SAFE, BYTES];
export const KWARGS = { big: BIG, max_safe: MAX_SAFE, bytes: BYTES };
const PYTHON_TYPES = { args: ['int', 'int', 'bytes'], kwargs: { big: 'int', max_safe: 'int', bytes: 'bytes' } };

/** Bytes arrive as Uint8Array (Buffer in Node is one): compare the contents. */
function expectBytes(value: unknown): void {
  expect(value).to.be.instanceOf(Uint8Array);
  expect(Array.from(value as Uint8Array)).to.deep.equal(Array.from(BYTES));
}

/** ARGS and KWARGS as rxwamp received them: the ints exact and typed as integers, the bytes intact. */
export function expectPayload(args: readonly unknown[], kwargs: Record<string, unknown>): void {
  expect(args.slice(0, 2)).to.deep.equal([BIG, MAX_SAFE]);
  expect(args.slice(0, 2).every(Number.isSafeInteger)).to.equal(true);
  expectBytes(args[2]);
  expect(kwargs['big']).to.equal(BIG);
  expect(kwargs['max_safe']).to.equal(MAX_SAFE);
  expectBytes(kwargs['bytes']);
}

/** ARGS and KWARGS as Python received them: same values, Python's int and bytes. */
export function expectPythonPayload(event: PeerEvent): void {
  expect(event.types).to.deep.equal(PYTHON_TYPES);
  expectPayload(fromPeerJson(event.args) as unknown[], fromPeerJson(event.kwargs) as Record<string, unknown>);
}
