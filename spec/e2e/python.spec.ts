import { expect } from 'chai';
import { concat, interval, lastValueFrom, Observable, of, take, toArray } from 'rxjs';
import { final, payload, WampClient, type Registration, type WampEvent } from '../../src/index.js';
import type { Router } from '../../src/router/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { fromPeerJson, usePythonPeers, type PeerEvent, type PythonPeer, type PythonSerializer } from '../helpers/python-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

/** Subscribes and resolves once REGISTERED arrived; the registration lasts until `stop()`. */
function registered(registration: Observable<Registration>): Promise<{ stop(): void }> {
  return new Promise((resolve, reject) => {
    const subscription = registration.subscribe({ next: () => resolve({ stop: () => subscription.unsubscribe() }), error: reject });
  });
}

function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`not in time: ${what}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

/**
 * Sessions subscribed to `topic` in the embedded router's broker: how a test knows an rxwamp
 * topic$ is live before anyone publishes. The router has no public view of its broker, so
 * this reads its private tables (TypeScript allows that with element access).
 */
function routerSubscribers(router: Router, realm: string, topic: string): number {
  const broker = router['realms'].get(realm)?.broker;
  return broker?.['subscriptions'].matching(topic).reduce((count, subscription) => count + subscription.subscribers.size, 0) ?? 0;
}

const BIG = 2 ** 32;
const MAX_SAFE = 2 ** 53 - 1;
const BYTES = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
/** What every integer and bytes test sends, and what the Python side must report for it. */
const ARGS = [BIG, MAX_SAFE, BYTES];
const KWARGS = { big: BIG, max_safe: MAX_SAFE, bytes: BYTES };
const PYTHON_TYPES = { args: ['int', 'int', 'bytes'], kwargs: { big: 'int', max_safe: 'int', bytes: 'bytes' } };

/** Bytes arrive as Uint8Array (Buffer in Node is one): compare the contents. */
function expectBytes(value: unknown): void {
  expect(value).to.be.instanceOf(Uint8Array);
  expect(Array.from(value as Uint8Array)).to.deep.equal(Array.from(BYTES));
}

/** args/kwargs as rxwamp received them: the ints exact and typed as integers, the bytes intact. */
function expectPayload(args: readonly unknown[], kwargs: Record<string, unknown>): void {
  expect(args.slice(0, 2)).to.deep.equal([BIG, MAX_SAFE]);
  expect(args.slice(0, 2).every(Number.isSafeInteger)).to.equal(true);
  expectBytes(args[2]);
  expect(kwargs['big']).to.equal(BIG);
  expect(kwargs['max_safe']).to.equal(MAX_SAFE);
  expectBytes(kwargs['bytes']);
}

/** A payload as Python received it: same values, Python's int and bytes. */
function expectPythonPayload(event: PeerEvent): void {
  expect(event.types).to.deep.equal(PYTHON_TYPES);
  expectPayload(fromPeerJson(event.args) as unknown[], fromPeerJson(event.kwargs) as Record<string, unknown>);
}

const SERIALIZERS: readonly PythonSerializer[] = ['json', 'cbor', 'msgpack'];

describe('e2e with Autobahn|Python as the other peer (embedded router)', function () {
  let fixture: EmbeddedRouter;
  const clients: WampClient[] = [];
  const startPeer = usePythonPeers();

  before(async () => { fixture = await startEmbeddedRouter(); });
  after(async () => { await fixture.stop(); });
  afterEach(async () => { await Promise.all(clients.splice(0).map((client) => client.close())); });

  for (const serializer of SERIALIZERS) {
    describe(`over ${serializer}`, () => {
      const newClient = () => {
        const client = new WampClient({ url: fixture.url, realm: fixture.realm, serializers: [serializerEntry(serializer)] });
        clients.push(client);
        return client;
      };
      const python = (): Promise<PythonPeer> => startPeer(fixture.url, fixture.realm, serializer);
      const uri = (name: string) => `com.myapp.python.${serializer}.${name}`;

      it('Autobahn|Python joins; its session id is an int', async () => {
        const peer = await python();
        expect(peer.sessionType).to.equal('int');
        expect(Number.isSafeInteger(peer.sessionId) && peer.sessionId > 0).to.equal(true);
      });

      it('a Python callee sending progress: rxwamp call$ sees each progress, then the tagged final, then complete', async () => {
        const peer = await python();
        await peer.registerProgress(uri('longop'), 3);
        const results = await lastValueFrom(newClient().call$(uri('longop'), [3]).pipe(toArray()));
        expect(results.map((r) => [r.progress, r.args])).to.deep.equal([[true, [0]], [true, [1]], [true, [2]], [false, [3]]]);
        const invoked = await peer.next('invoked');
        expect(invoked['progress']).to.equal(true); // details.progress was set: the router passed receive_progress on
        expect(invoked.types).to.deep.equal({ args: ['int'], kwargs: {} });
        await peer.next('returned');
      });

      it('rxwamp call$ unsubscribed mid-stream: the Python handler is cancelled', async () => {
        const peer = await python();
        await peer.registerProgress(uri('endless'), 100_000, 10);
        const results = await lastValueFrom(newClient().call$(uri('endless')).pipe(take(2), toArray()));
        expect(results.map((r) => [r.progress, r.args])).to.deep.equal([[true, [0]], [true, [1]]]);
        const cancelled = await peer.next('cancelled');
        expect(cancelled['procedure']).to.equal(uri('endless'));
        expect(peer.events.some((event) => event.event === 'returned')).to.equal(false);
      });

      it('a Python caller with on_progress: rxwamp registerStream streams each progress, then the final', async () => {
        const peer = await python();
        const registration = await registered(newClient().registerStream(uri('stream'), ([n]) =>
          concat(interval(5).pipe(take(n as number)), of(final(n)))));
        const { progress, final: ending } = await peer.call(uri('stream'), [3], {}, { onProgress: true });
        expect(progress.map((event) => event.args)).to.deep.equal([[0], [1], [2]]);
        expect(progress.map((event) => event.types)).to.deep.equal([0, 1, 2].map(() => ({ args: ['int'], kwargs: {} })));
        expect(ending.event).to.equal('result');
        expect(ending.args).to.deep.equal([3]);
        expect(ending.types).to.deep.equal({ args: ['int'], kwargs: {} });
        registration.stop();
      });

      it('Python publishes: rxwamp topic$ receives 2^32, 2^53−1 and bytes exactly', async () => {
        const peer = await python();
        const client = newClient();
        const topic = uri('to_rxwamp');
        const received: WampEvent[] = [];
        const subscription = client.topic$(topic).subscribe((event) => received.push(event));
        await until(() => routerSubscribers(fixture.router, fixture.realm, topic) === 1, 'the rxwamp subscription reached the router');
        await peer.publish(topic, ARGS, KWARGS);
        await until(() => received.length === 1, 'the event reached rxwamp');
        expectPayload(received[0]!.args, received[0]!.kwargs);
        subscription.unsubscribe();
      });

      it('rxwamp publishes: the Python subscriber receives 2^32, 2^53−1 as int and the bytes as bytes', async () => {
        const peer = await python();
        const topic = uri('to_python');
        await peer.subscribe(topic);
        await newClient().publish(topic, ARGS, KWARGS, { acknowledge: true });
        const event = await peer.next('event');
        expect(event['topic']).to.equal(topic);
        expectPythonPayload(event);
      });

      it('rxwamp calls a Python callee: 2^32, 2^53−1 and bytes arrive as int and bytes, and come back exact', async () => {
        const peer = await python();
        await peer.registerEcho(uri('echo'));
        const results = await lastValueFrom(newClient().call$(uri('echo'), ARGS, KWARGS).pipe(toArray()));
        expectPythonPayload(await peer.next('invoked'));
        expect(results.map((r) => r.progress)).to.deep.equal([false]);
        expectPayload(results[0]!.args, results[0]!.kwargs);
      });

      it('Python calls an rxwamp callee: 2^32, 2^53−1 and bytes arrive exact, and come back to Python as int and bytes', async () => {
        const peer = await python();
        const seen: Array<{ args: readonly unknown[]; kwargs: Record<string, unknown> }> = [];
        const registration = await registered(newClient().register(uri('rx_echo'), (args, kwargs) => {
          seen.push({ args, kwargs });
          return payload([...args], { ...kwargs });
        }));
        const { final: ending } = await peer.call(uri('rx_echo'), ARGS, KWARGS);
        expect(seen).to.have.length(1);
        expectPayload(seen[0]!.args, seen[0]!.kwargs);
        expect(ending.event).to.equal('result');
        expectPythonPayload(ending);
        registration.stop();
      });
    });
  }
});
