import { expect } from 'chai';
import { MessageType as M, type Dict } from '../../src/protocol/index.js';
import { Router } from '../../src/router/index.js';
import { connectAutobahn, type AutobahnPeer } from '../helpers/autobahn-peer.js';
import {
  describeOnEachTransport,
  startEmbeddedRouter,
  startRouter,
  type EmbeddedRouter,
  type RouterFixture,
  type TransportPeer,
} from '../helpers/embedded-router.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { startRouterProcess } from '../helpers/router-process.js';

/** The documented defaults (README, SessionLimits). */
const LIMITS = { maxUriLength: 1024, maxRegistrations: 1000, maxSubscriptions: 1000, maxCallsInFlight: 1000, maxPendingInvocations: 1000 };
/** Well over the default URI limit: 16,000 characters, as in the reproduction. */
const LONG = `com.example.${'a'.repeat(16_000)}`;

/** Takes the next `count` messages matching `predicate`, in order (each waits on the message, never on a timer). */
async function take(peer: TransportPeer, count: number, predicate: (message: unknown[]) => boolean): Promise<unknown[][]> {
  const taken: unknown[][] = [];
  for (let i = 0; i < count; i++) taken.push(await peer.next(predicate, 10_000));
  return taken;
}

const answerTo = (request: number) => (m: unknown[]) => (m[0] === M.ERROR ? m[2] : m[1]) === request && m[0] !== M.INVOCATION && m[0] !== M.EVENT;

/**
 * Issue #19, against the router with its default limits (over WebSocket in its own process, as
 * the command runs it): one client can neither make the router's lookups quadratic in a URI's
 * length nor make it hold without bound.
 */
describeOnEachTransport('router: per-session limits and URI length, default limits', (transport) => {
  let router: { joinPeer(realm: string): Promise<TransportPeer>; readonly realm: string; stop(): Promise<void> };
  const peers: TransportPeer[] = [];
  const join = async () => {
    const peer = await router.joinPeer(router.realm);
    peers.push(peer);
    return peer;
  };
  before(async () => {
    if (transport === 'memory') {
      router = await startRouter(transport);
    } else {
      const process = await startRouterProcess({ kind: 'embedded' });
      router = { realm: process.realm, joinPeer: (realm) => RawPeer.join(process.url, realm), stop: () => process.stop() };
    }
  });
  after(() => router.stop());
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.close()));
  });

  it(`refuses CALL, PUBLISH, REGISTER and SUBSCRIBE URIs over ${LIMITS.maxUriLength} characters with invalid_uri; the session goes on`, async () => {
    const hostile = await join();
    // With a prefix registration and subscription in the realm, every long URI was matched against
    // each of its 16,000 prefixes (quadratic): this one is refused before any lookup.
    await hostile.register('com', { match: 'prefix' });
    await hostile.subscribe('com', { match: 'prefix' });
    const requests = {
      publish: hostile.nextRequestId(),
      call: 0,
      register: 0,
      subscribe: 0,
    };
    hostile.send([M.PUBLISH, requests.publish, { acknowledge: true }, LONG, ['x']]);
    requests.call = hostile.call(LONG);
    requests.register = hostile.nextRequestId();
    hostile.send([M.REGISTER, requests.register, {}, LONG]);
    requests.subscribe = hostile.nextRequestId();
    hostile.send([M.SUBSCRIBE, requests.subscribe, { match: 'wildcard' }, `${LONG}.`]);
    const refusals: Dict = {};
    for (const [kind, request] of Object.entries(requests)) {
      // A CALL that is not refused reaches the prefix registration as an INVOCATION instead.
      const answer = await hostile.next((m) => answerTo(request)(m) || (kind === 'call' && m[0] === M.INVOCATION), 10_000);
      refusals[kind] = answer[0] === M.ERROR ? answer[4] : `message type ${String(answer[0])}`;
    }
    console.log(`      refusals: ${JSON.stringify(refusals)}`);
    expect(refusals).to.deep.equal({
      publish: 'wamp.error.invalid_uri',
      call: 'wamp.error.invalid_uri',
      register: 'wamp.error.invalid_uri',
      subscribe: 'wamp.error.invalid_uri',
    });
    expect(
      hostile.pending().filter((m) => m[0] === M.INVOCATION || m[0] === M.EVENT),
      'nothing was routed',
    ).to.deep.equal([]);

    // A URI at the limit is still fine, and the session goes on.
    const atLimit = `com.${'b'.repeat(LIMITS.maxUriLength - 4)}`;
    const publish = hostile.nextRequestId();
    hostile.send([M.PUBLISH, publish, { acknowledge: true, exclude_me: false }, atLimit, ['y']]);
    expect((await hostile.next(answerTo(publish)))[0]).to.equal(M.PUBLISHED);
    const event = await hostile.next((m) => m[0] === M.EVENT);
    expect((event[3] as Dict)['topic']).to.equal(atLimit);
  });

  it(`refuses subscription ${LIMITS.maxSubscriptions + 1} with rxwamp.error.too_many_subscriptions; the session and the others go on`, async () => {
    const hostile = await join();
    const first = hostile.nextRequestId();
    for (let i = 0; i <= LIMITS.maxSubscriptions; i++) hostile.send([M.SUBSCRIBE, first + i, {}, `com.example.topic${i}`]);
    const answers = await take(hostile, LIMITS.maxSubscriptions + 1, (m) => m[0] === M.SUBSCRIBED || m[0] === M.ERROR);
    const refused = answers.filter((m) => m[0] === M.ERROR);
    console.log(`      ${answers.length - refused.length} SUBSCRIBED, then ${JSON.stringify(refused.map((m) => m[4]))}`);
    expect(refused.map((m) => [m[2], m[4]])).to.deep.equal([[first + LIMITS.maxSubscriptions, 'rxwamp.error.too_many_subscriptions']]);
    for (let i = 0; i < LIMITS.maxSubscriptions; i++) hostile.nextRequestId();

    // Subscribing again to a topic it holds is no new subscription (§7.1): still answered.
    const again = await hostile.subscribe('com.example.topic0');
    expect(again).to.equal(answers[0]![2]);
    // One unsubscribe makes room for one more.
    const unsubscribe = hostile.nextRequestId();
    hostile.send([M.UNSUBSCRIBE, unsubscribe, answers[1]![2]]);
    expect((await hostile.next(answerTo(unsubscribe)))[0]).to.equal(M.UNSUBSCRIBED);
    await hostile.subscribe('com.example.one.more');

    const innocent = await join();
    await innocent.subscribe('com.example.topic5');
    const publish = innocent.nextRequestId();
    innocent.send([M.PUBLISH, publish, { acknowledge: true }, 'com.example.topic5', [1]]);
    expect((await innocent.next(answerTo(publish)))[0]).to.equal(M.PUBLISHED);
    expect((await hostile.next((m) => m[0] === M.EVENT))[4]).to.deep.equal([1]);
  });

  it(`refuses registration ${LIMITS.maxRegistrations + 1} with rxwamp.error.too_many_registrations`, async () => {
    const hostile = await join();
    const first = hostile.nextRequestId();
    for (let i = 0; i <= LIMITS.maxRegistrations; i++) hostile.send([M.REGISTER, first + i, { match: i % 2 ? 'prefix' : 'exact' }, `com.example.proc${i}`]);
    const answers = await take(hostile, LIMITS.maxRegistrations + 1, (m) => m[0] === M.REGISTERED || m[0] === M.ERROR);
    for (let i = 0; i < LIMITS.maxRegistrations; i++) hostile.nextRequestId();
    const refused = answers.filter((m) => m[0] === M.ERROR);
    console.log(`      ${answers.length - refused.length} REGISTERED, then ${JSON.stringify(refused.map((m) => m[4]))}`);
    expect(refused.map((m) => [m[2], m[4]])).to.deep.equal([[first + LIMITS.maxRegistrations, 'rxwamp.error.too_many_registrations']]);
    // Its registrations still work.
    const caller = await join();
    const call = caller.call('com.example.proc0');
    const invocation = await hostile.next((m) => m[0] === M.INVOCATION);
    hostile.send([M.YIELD, invocation[1], {}, ['ok']]);
    expect(await caller.callOutcome(call)).to.deep.equal([M.RESULT, call, {}, ['ok']]);
  });

  it(`a caller may have ${LIMITS.maxCallsInFlight} calls in flight (then too_many_calls); a callee ${LIMITS.maxPendingInvocations} unanswered (then no_available_callee)`, async () => {
    const callee = await join();
    await callee.register('com.example.sink');
    const hostile = await join();
    const first = hostile.nextRequestId();
    for (let i = 0; i <= LIMITS.maxCallsInFlight; i++) hostile.send([M.CALL, first + i, {}, 'com.example.sink', [i]]);
    for (let i = 0; i < LIMITS.maxCallsInFlight; i++) hostile.nextRequestId();
    const refusal = await hostile.next((m) => m[0] === M.ERROR, 10_000);
    const invocations = await take(callee, LIMITS.maxCallsInFlight, (m) => m[0] === M.INVOCATION);
    console.log(`      ${invocations.length} INVOCATIONs reached the callee; call ${LIMITS.maxCallsInFlight + 1}: ${String(refusal[4])}`);
    expect([refusal[2], refusal[4]]).to.deep.equal([first + LIMITS.maxCallsInFlight, 'rxwamp.error.too_many_calls']);

    // The callee now has its limit of unanswered invocations: another caller's call is refused without reaching it.
    const innocent = await join();
    const refused = innocent.call('com.example.sink', ['innocent']);
    expect((await innocent.callOutcome(refused))[4]).to.equal('wamp.error.no_available_callee');
    // The callee answers one: the hostile caller gets its result and the innocent caller gets through.
    callee.send([M.YIELD, invocations[0]![1], {}, ['done']]);
    expect(await hostile.callOutcome(first)).to.deep.equal([M.RESULT, first, {}, ['done']]);
    const accepted = innocent.call('com.example.sink', ['innocent']);
    const invocation = await callee.next((m) => m[0] === M.INVOCATION);
    expect(invocation[4]).to.deep.equal(['innocent']);
    callee.send([M.YIELD, invocation[1], {}, ['welcome']]);
    expect(await innocent.callOutcome(accepted)).to.deep.equal([M.RESULT, accepted, {}, ['welcome']]);
  });
});

/** Two realms: realm1 with the router's limits, `tight` with its own. */
const PER_REALM_LIMITS = {
  realms: ['realm1', { uri: 'tight', sessionLimits: { maxSubscriptions: 2, maxCallsInFlight: 1, maxUriLength: 40 } }],
  sessionLimits: { maxRegistrations: 1 },
};

describeOnEachTransport('router: session limits, configured per realm', (transport) => {
  let fixture: RouterFixture;
  before(async () => {
    fixture = await startRouter(transport, PER_REALM_LIMITS);
  });
  after(() => fixture.stop());

  it("a realm takes its own limits over the router's, and the defaults for the rest", async () => {
    const loose = await fixture.joinPeer('realm1');
    const tight = await fixture.joinPeer('tight');
    try {
      for (let i = 0; i < 3; i++) await loose.subscribe(`com.example.t${i}`);
      await tight.subscribe('com.example.t0');
      await tight.subscribe('com.example.t1');
      const third = tight.nextRequestId();
      tight.send([M.SUBSCRIBE, third, {}, 'com.example.t2']);
      expect((await tight.next(answerTo(third)))[4]).to.equal('rxwamp.error.too_many_subscriptions');
      // The router-wide maxRegistrations applies to both realms.
      for (const peer of [loose, tight]) {
        await peer.register('com.example.p');
        const second = peer.nextRequestId();
        peer.send([M.REGISTER, second, {}, 'com.example.q']);
        expect((await peer.next(answerTo(second)))[4]).to.equal('rxwamp.error.too_many_registrations');
      }
      const long = tight.call(`com.example.${'x'.repeat(40)}`);
      expect((await tight.callOutcome(long))[4]).to.equal('wamp.error.invalid_uri');
    } finally {
      await Promise.all([loose.close(), tight.close()]);
    }
  });
});

describe('router: session limits, configured per realm (options; an independent client over WebSocket)', () => {
  let fixture: EmbeddedRouter;
  before(async () => {
    fixture = await startEmbeddedRouter(PER_REALM_LIMITS);
  });
  after(() => fixture.stop());

  it('rejects limits that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, '10', Number.NaN]) {
      expect(() => new Router({ realms: ['realm1'], sessionLimits: { maxSubscriptions: bad as number } }), String(bad)).to.throw(
        TypeError,
        /sessionLimits.maxSubscriptions/,
      );
      expect(() => new Router({ realms: [{ uri: 'r', sessionLimits: { maxCallsInFlight: bad as number } }] }), String(bad)).to.throw(
        TypeError,
        /sessionLimits.maxCallsInFlight/,
      );
    }
  });

  it('Autobahn|JS (an independent client) sees the refusals as errors it can act on, and its session goes on', async () => {
    let peer: AutobahnPeer | undefined;
    try {
      peer = await connectAutobahn(fixture.url, 'tight');
      const { session } = peer;
      await session.subscribe('com.example.a', () => undefined);
      await session.subscribe('com.example.b', () => undefined);
      const overLimit = await session
        .subscribe('com.example.c', () => undefined)
        .then(
          () => 'subscribed',
          (error: { error: string }) => error.error,
        );
      expect(overLimit).to.equal('rxwamp.error.too_many_subscriptions');
      await session.register('com.example.slow', () => new Promise(() => undefined));
      await session
        .register('com.example.fast', () => undefined)
        .then(
          () => expect.fail('over maxRegistrations'),
          (error: { error: string }) => expect(error.error).to.equal('rxwamp.error.too_many_registrations'),
        );
      const outcome = (procedure: string) =>
        new Promise<string>((resolve) =>
          session.call(procedure).then(
            () => resolve('result'),
            (error) => resolve(error.error),
          ),
        );
      // One call in flight (the slow one) is this realm's limit.
      void outcome('com.example.slow');
      expect(await outcome('com.example.slow')).to.equal('rxwamp.error.too_many_calls');
      expect(await outcome(`com.example.${'x'.repeat(40)}`)).to.equal('wamp.error.invalid_uri');
    } finally {
      await peer?.close();
    }
  });
});
