import { expect } from 'chai';
import { concat, interval, lastValueFrom, of, take, toArray } from 'rxjs';
import { final, payload, type WampClient, type WampEvent } from '../../src/index.js';
import type { EmbeddedRouter } from './embedded-router.js';
import { ARGS, expectPayload, expectPythonPayload, KWARGS, registered, routerSubscribers } from './python-e2e.js';
import type { PythonPeer } from './python-peer.js';
import { until } from './scripted-peer.js';

/**
 * The rxwamp ↔ Autobahn|Python scenarios that hold whatever transport each side uses
 * (spec/e2e/python-rawsocket.spec.ts: rxwamp on WebSocket; python-rawsocket-client.spec.ts:
 * rxwamp on rs://). `uri` names a procedure or topic of the calling test's own namespace.
 */

/** rxwamp calls a Python callee: each progressive result, then the final; 2^32, 2^53−1 and bytes exact both ways. */
export async function rxwampCallsPython(client: WampClient, peer: PythonPeer, uri: (name: string) => string): Promise<void> {
  await peer.registerProgress(uri('progress'), 3);
  await peer.registerEcho(uri('echo'));
  const results = await lastValueFrom(client.call$(uri('progress')).pipe(toArray()));
  expect(results.map((r) => [r.progress, r.args])).to.deep.equal([
    [true, [0]],
    [true, [1]],
    [true, [2]],
    [false, [3]],
  ]);
  const echoed = await lastValueFrom(client.call$(uri('echo'), ARGS, KWARGS).pipe(toArray()));
  expectPayload(echoed[0]!.args, echoed[0]!.kwargs);
  await peer.next('invoked');
  expectPythonPayload(await peer.next('invoked'));
}

/** rxwamp unsubscribes from a call mid-stream: the Python callee is interrupted and does not return. */
export async function rxwampCancelsPython(client: WampClient, peer: PythonPeer, uri: (name: string) => string): Promise<void> {
  await peer.registerProgress(uri('endless'), 100_000, 10);
  const results = await lastValueFrom(client.call$(uri('endless')).pipe(take(2), toArray()));
  expect(results.map((r) => [r.progress, r.args])).to.deep.equal([
    [true, [0]],
    [true, [1]],
  ]);
  expect((await peer.next('cancelled'))['procedure']).to.equal(uri('endless'));
  expect(peer.events.some((event) => event.event === 'returned')).to.equal(false);
}

/** A Python caller calls an rxwamp registerStream and register: each progress, then the final; payload exact both ways. */
export async function pythonCallsRxwamp(client: WampClient, peer: PythonPeer, uri: (name: string) => string): Promise<void> {
  const stream = await registered(client.registerStream(uri('stream'), ([n]) => concat(interval(5).pipe(take(n as number)), of(final(n)))));
  const echo = await registered(client.register(uri('rx_echo'), (args, kwargs) => payload([...args], { ...kwargs })));
  const { progress, final: ending } = await peer.call(uri('stream'), [3], {}, { onProgress: true });
  expect(progress.map((event) => event.args)).to.deep.equal([[0], [1], [2]]);
  expect(ending.event).to.equal('result');
  expect(ending.args).to.deep.equal([3]);
  expect(ending.types).to.deep.equal({ args: ['int'], kwargs: {} });
  const echoed = await peer.call(uri('rx_echo'), ARGS, KWARGS);
  expect(echoed.final.event).to.equal('result');
  expectPythonPayload(echoed.final);
  stream.stop();
  echo.stop();
}

/** Python publishes to an rxwamp topic$, then rxwamp publishes to a Python subscription; payload exact both ways. */
export async function eventsBothWays(client: WampClient, peer: PythonPeer, router: EmbeddedRouter, uri: (name: string) => string): Promise<void> {
  const received: WampEvent[] = [];
  const subscription = client.topic$(uri('to_rxwamp')).subscribe((event) => received.push(event));
  await until(() => routerSubscribers(router.router, router.realm, uri('to_rxwamp')) === 1, 5000, 'the rxwamp subscription reached the router');
  await peer.publish(uri('to_rxwamp'), ARGS, KWARGS);
  await until(() => received.length === 1, 5000, 'the Python event reached rxwamp');
  expectPayload(received[0]!.args, received[0]!.kwargs);
  subscription.unsubscribe();

  await peer.subscribe(uri('to_python'));
  await client.publish(uri('to_python'), ARGS, KWARGS, { acknowledge: true });
  expectPythonPayload(await peer.next('event'));
}
