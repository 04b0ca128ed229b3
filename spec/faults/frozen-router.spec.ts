import { expect } from 'chai';
import { Observable } from 'rxjs';
import { WampClient, WampConnectionError, type ConnectionState, type Registration } from '../../src/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { startRouterProcess, stopAllRouterProcesses, type RouterProcess } from '../helpers/router-process.js';
import { until } from '../helpers/scripted-peer.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-faults.js';

/**
 * A router that stops answering without closing anything (SIGSTOP, or a link that stops
 * forwarding): TCP stays up, so only the ping deadline can tell. The connection must be
 * declared lost, pending calls must fail, and reconnecting must start.
 */

const CALLS = 10;
const LIVENESS = { pingInterval: 200, pongTimeout: 300 };

interface Application {
  readonly client: WampClient;
  readonly registrations: Registration[];
  readonly statuses: ConnectionState['status'][];
  readonly errors: unknown[];
  readonly endings: unknown[];
  invocations: number;
  tornDown: number;
}

/** A client that registers a procedure whose invocations never end, then starts CALLS calls to it. */
async function startApplication(url: string, realm: string): Promise<Application> {
  const client = new WampClient({ url, realm, serializers: ['json'], ...LIVENESS, connectTimeout: 1_000, reconnect: { initialDelay: 100, maxAttempts: 100 } });
  const app: Application = { client, registrations: [], statuses: [], errors: [], endings: [], invocations: 0, tornDown: 0 };
  client.state$.subscribe((state) => app.statuses.push(state.status));
  client
    .registerStream(
      'com.faults.never',
      () =>
        new Observable(() => {
          app.invocations++;
          return () => {
            app.tornDown++;
          };
        }),
    )
    .subscribe({ next: (r) => app.registrations.push(r), error: (e) => app.endings.push(e), complete: () => app.endings.push('complete') });
  await until(() => app.registrations.length === 1, 10_000, 'registered');
  for (let i = 0; i < CALLS; i++) client.call$('com.faults.never').subscribe({ error: (e) => app.errors.push(e) });
  await until(() => app.invocations === CALLS, 10_000, 'every invocation running');
  return app;
}

function expectLostByLiveness(app: Application): void {
  expect(app.errors).to.have.length(CALLS);
  for (const error of app.errors) {
    expect(error).to.be.instanceOf(WampConnectionError);
    expect((error as WampConnectionError).code).to.equal('lost');
    expect((error as WampConnectionError).message).to.match(/no pong within 300 ms/);
  }
  expect(app.tornDown).to.equal(CALLS);
}

describe('faults: a frozen router (SIGSTOP) is noticed by the ping deadline', function () {
  this.timeout(60_000);
  let router: RouterProcess | undefined;
  let app: Application | undefined;
  afterEach(async () => {
    router?.thaw();
    await app?.client.close();
    await stopAllRouterProcesses();
    app = router = undefined;
  });

  it('fails the pending calls with lost, starts reconnecting, and restores the registration once the router runs again', async () => {
    router = await startRouterProcess({ kind: 'embedded' });
    app = await startApplication(router.url, router.realm);
    const frozenAt = performance.now();
    router.freeze();
    await until(() => app!.errors.length === CALLS, 10_000, 'calls failed');
    const noticedAfter = performance.now() - frozenAt;
    expectLostByLiveness(app);
    await until(() => app!.statuses.includes('reconnecting'), 5_000, 'reconnecting');
    router.thaw();
    await until(() => app!.registrations.length === 2, 20_000, 'registration restored');
    expect(app.endings).to.deep.equal([]);
    console.log(
      `      frozen router: ${CALLS} calls failed ${noticedAfter.toFixed(0)} ms after SIGSTOP (ping every ${LIVENESS.pingInterval} ms, pong deadline ${LIVENESS.pongTimeout} ms); states ${[...new Set(app.statuses)].join(' → ')}`,
    );
  });
});

describe('faults: a TCP link that stops forwarding without closing', function () {
  this.timeout(60_000);
  let router: EmbeddedRouter | undefined;
  let proxy: TcpProxy | undefined;
  let app: Application | undefined;
  afterEach(async () => {
    await app?.client.close();
    await proxy?.close();
    await router?.stop();
    app = proxy = router = undefined;
  });

  it('declares the connection lost at the pong deadline, and reconnects through the link once it forwards again', async () => {
    router = await startEmbeddedRouter();
    proxy = await startTcpProxy(Number(new URL(router.url).port));
    app = await startApplication(proxy.url, router.realm);
    proxy.pause();
    await until(() => app!.errors.length === CALLS, 10_000, 'calls failed');
    expectLostByLiveness(app);
    await until(() => app!.statuses.includes('reconnecting'), 5_000, 'reconnecting');
    proxy.resume();
    await until(() => app!.registrations.length === 2, 20_000, 'registration restored');
    expect(app.endings).to.deep.equal([]);
  });
});
