import { expect } from 'chai';
import { createServer, type AddressInfo } from 'node:net';
import { Observable } from 'rxjs';
import { WampClient, WampConnectionError, type ConnectionState, type Registration, type WampEvent } from '../../src/index.js';
import { connectAutobahn, type AutobahnPeer } from '../helpers/autobahn-peer.js';
import { startRouterProcess, stopAllRouterProcesses, type RouterProcess } from '../helpers/router-process.js';
import { until } from '../helpers/scripted-peer.js';

/**
 * Failover between router nodes (`url: [...]`), each embedded router in its own process: the
 * node the client is on is SIGKILLed (or SIGSTOPped) while calls are in flight. The calls fail
 * with WampConnectionError `lost`, the client opens a session on the next node that answers
 * (skipping one where nothing listens), and its registration and topic$ subscription are
 * restored there, which an independent peer (Autobahn|JS) on that node checks by calling and
 * publishing. The printed timings are measured, not asserted.
 */

const CALLS = 10;
const RECONNECT = { initialDelay: 100, maxAttempts: 50 };
const ECHO = 'com.failover.echo';
const NEVER = 'com.failover.never';
const NEWS = 'com.failover.news';

/** A client holding a registration, a never-ending one for calls in flight, and a topic$ subscription. */
interface Application {
  readonly client: WampClient;
  readonly states: ConnectionState[];
  /** When each of `states` was emitted (performance.now()). */
  readonly stateTimes: number[];
  /** Registrations of ECHO, one per session it was (re)registered on. */
  readonly registrations: Registration[];
  readonly registeredAt: number[];
  readonly events: WampEvent[];
  /** Errors or completions of the held Observables: there must be none. */
  readonly endings: unknown[];
  /** How many times the ECHO handler ran. */
  served: number;
  subscribed: number;
  running: number;
  tornDown: number;
}

async function startApplication(urls: readonly string[], options: Partial<ConstructorParameters<typeof WampClient>[0]> = {}): Promise<Application> {
  const client = new WampClient({ url: urls, realm: 'realm1', reconnect: RECONNECT, ...options });
  const app: Application = {
    client,
    states: [],
    stateTimes: [],
    registrations: [],
    registeredAt: [],
    events: [],
    endings: [],
    served: 0,
    subscribed: 0,
    running: 0,
    tornDown: 0,
  };
  client.state$.subscribe((state) => {
    app.states.push(state);
    app.stateTimes.push(performance.now());
  });
  const ending = { error: (error: unknown) => app.endings.push(error), complete: () => app.endings.push('complete') };
  client
    .register(ECHO, ([text]) => {
      app.served++;
      return `echo: ${String(text)}`;
    })
    .subscribe({
      next: (registration) => {
        app.registrations.push(registration);
        app.registeredAt.push(performance.now());
      },
      ...ending,
    });
  client
    .registerStream(
      NEVER,
      () =>
        new Observable(() => {
          app.running++;
          return () => {
            app.tornDown++;
          };
        }),
    )
    .subscribe(ending);
  client
    .topic$(NEWS, {
      onSubscribed: () => {
        app.subscribed++;
      },
    })
    .subscribe({ next: (event) => app.events.push(event), ...ending });
  await until(() => app.registrations.length === 1 && app.subscribed === 1, 10_000, 'registered and subscribed');
  return app;
}

/** Starts CALLS calls that stay in flight (NEVER never answers) and collects how they end. */
async function callsInFlight(app: Application): Promise<unknown[]> {
  const errors: unknown[] = [];
  const running = app.running;
  for (let i = 0; i < CALLS; i++) app.client.call$(NEVER).subscribe({ error: (error) => errors.push(error) });
  await until(() => app.running === running + CALLS, 10_000, 'every call in flight');
  return errors;
}

/** When the client last opened a session (the `open` state was emitted). */
function lastOpenedAt(app: Application): number {
  const index = app.states.map((state) => state.status).lastIndexOf('open');
  return app.stateTimes[index]!;
}

/** The endpoint the client is open on, or undefined. */
function openOn(app: Application): string | undefined {
  const { state } = app.client;
  return state.status === 'open' ? state.url : undefined;
}

/** The states from `from` on, each as a short line: `connecting ws://…`, `open ws://…`, `reconnecting 1`. */
function trace(app: Application, from: number): string[] {
  return app.states.slice(from).map((state) => {
    switch (state.status) {
      case 'connecting':
        return `connecting ${state.url}`;
      case 'open':
        return `open ${state.url}`;
      case 'reconnecting':
        return `reconnecting ${state.attempt}`;
      case 'closed':
        return `closed ${state.willRetry ? 'willRetry' : 'final'}`;
      default:
        return state.status;
    }
  });
}

/** Calls ECHO from `peer` until a callee serves it (the router answers no_such_procedure until then). */
async function callUntilServed(peer: AutobahnPeer, text: string): Promise<unknown> {
  for (;;) {
    try {
      return await new Promise<unknown>((resolve, reject) => {
        peer.session.call(ECHO, [text]).then(resolve, reject);
      });
    } catch (error) {
      if ((error as { error?: string }).error !== 'wamp.error.no_such_procedure') throw error;
      await new Promise((resolve) => setTimeout(resolve, 5)); // polls until the condition holds, as until() does
    }
  }
}

/** Expects the call on `peer` to find no callee: nothing was left registered on that node. */
async function expectNoCallee(peer: AutobahnPeer): Promise<void> {
  const error = await new Promise<unknown>((resolve, reject) => {
    peer.session.call(ECHO, ['anyone?']).then(reject, resolve);
  });
  expect((error as { error?: string }).error).to.equal('wamp.error.no_such_procedure');
}

function expectLost(errors: readonly unknown[], message?: RegExp): void {
  expect(errors).to.have.length(CALLS);
  for (const error of errors) {
    expect(error).to.be.instanceOf(WampConnectionError);
    expect((error as WampConnectionError).code).to.equal('lost');
    expect((error as WampConnectionError).retryable).to.equal(true);
    if (message) expect((error as WampConnectionError).message).to.match(message);
  }
}

/** The URL of a port on which nothing listens (connections are refused). */
async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `ws://127.0.0.1:${port}/ws`;
}

const ms = (from: number, to: number) => `${(to - from).toFixed(0)} ms`;

describe('faults: failover between router nodes (url: [...]), each router in its own process', function () {
  this.timeout(90_000);
  let app: Application | undefined;
  const peers: AutobahnPeer[] = [];
  let frozen: RouterProcess | undefined;
  afterEach(async () => {
    frozen?.thaw();
    for (const peer of peers.splice(0)) await peer.close();
    await app?.client.close();
    await stopAllRouterProcesses();
    app = frozen = undefined;
  });

  async function peerOn(router: RouterProcess): Promise<AutobahnPeer> {
    const peer = await connectAutobahn(router.url, router.realm);
    peers.push(peer);
    return peer;
  }

  it('SIGKILL of the node in use: calls fail with lost, the client moves past a dead endpoint to the next node, which serves the registration and the subscription; the first node coming back changes nothing, and the next kill moves it back', async () => {
    let first = await startRouterProcess({ kind: 'embedded' });
    const second = await startRouterProcess({ kind: 'embedded' });
    const dead = await refusingUrl();
    app = await startApplication([first.url, dead, second.url]);
    expect(openOn(app)).to.equal(first.url);
    const peerOnSecond = await peerOn(second);
    await expectNoCallee(peerOnSecond); // registered on the first node only

    const errors = await callsInFlight(app);
    const before = app.states.length;
    const killedAt = performance.now();
    await first.kill('SIGKILL');
    await until(() => errors.length === CALLS, 10_000, 'the calls in flight failed');
    const failedAt = performance.now();
    expectLost(errors);
    expect(app.tornDown).to.equal(CALLS); // the invocations this client served were torn down
    await until(() => openOn(app!) === second.url, 10_000, 'open on the second node');
    const openAt = lastOpenedAt(app);
    await until(() => app!.registrations.length === 2 && app!.subscribed === 2, 10_000, 'registration and subscription restored');
    const result = await callUntilServed(peerOnSecond, 'after the kill');
    const servedAt = performance.now();
    expect(result).to.equal('echo: after the kill');
    expect(trace(app, before)).to.deep.equal(['closed willRetry', 'reconnecting 1', `connecting ${dead}`, `connecting ${second.url}`, `open ${second.url}`]);
    await peerOnSecond.session.publish(NEWS, ['from the second node'], {}, { acknowledge: true });
    await until(() => app!.events.length === 1, 5_000, 'the event from the second node');
    expect(app.events[0]!.args).to.deep.equal(['from the second node']);
    expect(app.served).to.equal(1); // one call, one invocation: the procedure is registered once
    console.log(
      `      SIGKILL → ${CALLS} calls failed ${ms(killedAt, failedAt)}, open on the next node ${ms(killedAt, openAt)}, ` +
        `registration restored ${ms(killedAt, app.registeredAt[1]!)}, first call served there ${ms(killedAt, servedAt)} ` +
        `(backoff initialDelay ${RECONNECT.initialDelay} ms ± 10%, one refused endpoint skipped on the way)`,
    );

    // The first node comes back: the client stays where it is and keeps working there.
    const settled = app.states.length;
    first = await first.restart();
    const peerOnFirst = await peerOn(first);
    await expectNoCallee(peerOnFirst); // nothing of the client's went back to the restarted node
    expect(await callUntilServed(peerOnSecond, 'still here')).to.equal('echo: still here');
    await peerOnSecond.session.publish(NEWS, ['still on the second node'], {}, { acknowledge: true });
    await until(() => app!.events.length === 2, 5_000, 'the second event');
    expect(app.states.length, 'no state change while the first node came back').to.equal(settled);

    // Killing the second node moves the client on round the list: back to the first one.
    const moreErrors = await callsInFlight(app);
    const secondKilledAt = performance.now();
    await second.kill('SIGKILL');
    await until(() => moreErrors.length === CALLS, 10_000, 'the second batch of calls failed');
    expectLost(moreErrors);
    await until(() => openOn(app!) === first.url && app!.registrations.length === 3 && app!.subscribed === 3, 10_000, 'restored on the first node');
    expect(await callUntilServed(peerOnFirst, 'back on the first node')).to.equal('echo: back on the first node');
    const servedAgainAt = performance.now();
    await peerOnFirst.session.publish(NEWS, ['from the first node again'], {}, { acknowledge: true });
    await until(() => app!.events.length === 3, 5_000, 'the event from the first node');
    expect(trace(app, settled)).to.deep.equal(['closed willRetry', 'reconnecting 1', `connecting ${first.url}`, `open ${first.url}`]);
    expect(app.served).to.equal(3);
    expect(app.endings).to.deep.equal([]); // the application's Observables never noticed
    console.log(`      SIGKILL of the second node → first call served on the restarted first node ${ms(secondKilledAt, servedAgainAt)}`);
  });

  it('skips an endpoint that refuses on the first connection too', async () => {
    const router = await startRouterProcess({ kind: 'embedded' });
    const dead = await refusingUrl();
    app = await startApplication([dead, router.url]);
    expect(trace(app, 0)).to.deep.equal(['idle', `connecting ${dead}`, `connecting ${router.url}`, `open ${router.url}`]);
  });

  it('a frozen node (SIGSTOP) is left at the pong deadline, and the next node serves the registration', async () => {
    const liveness = { pingInterval: 200, pongTimeout: 300 };
    frozen = await startRouterProcess({ kind: 'embedded' });
    const second = await startRouterProcess({ kind: 'embedded' });
    app = await startApplication([frozen.url, second.url], { ...liveness, connectTimeout: 1_000 });
    const peerOnSecond = await peerOn(second);
    const errors = await callsInFlight(app);
    const before = app.states.length;
    const frozenAt = performance.now();
    frozen.freeze();
    await until(() => errors.length === CALLS, 10_000, 'the calls in flight failed');
    const failedAt = performance.now();
    expectLost(errors, /no pong within 300 ms/);
    await until(() => app!.registrations.length === 2 && app!.subscribed === 2, 10_000, 'restored on the second node');
    expect(openOn(app)).to.equal(second.url);
    const result = await callUntilServed(peerOnSecond, 'after the freeze');
    const servedAt = performance.now();
    expect(result).to.equal('echo: after the freeze');
    expect(trace(app, before)).to.deep.equal(['closed willRetry', 'reconnecting 1', `connecting ${second.url}`, `open ${second.url}`]);
    await peerOnSecond.session.publish(NEWS, ['after the freeze'], {}, { acknowledge: true });
    await until(() => app!.events.length === 1, 5_000, 'the event');
    expect(app.endings).to.deep.equal([]);
    console.log(
      `      SIGSTOP → ${CALLS} calls failed ${ms(frozenAt, failedAt)} (ping every ${liveness.pingInterval} ms, pong deadline ${liveness.pongTimeout} ms), ` +
        `first call served on the next node ${ms(frozenAt, servedAt)}`,
    );
  });
});
