import { expect } from 'chai';
import { firstValueFrom, NEVER } from 'rxjs';
import { WampClient, WampConnectionError, WampError, type ConnectionState } from '../../src/index.js';
import { ScriptedPeer, settle, until, type Frame } from '../helpers/scripted-peer.js';

/** Connection states, reconnect with backoff and what survives it, against a scripted router. */
describe('wire: connection state, reconnect and restore', () => {
  let peer: ScriptedPeer;
  let client: WampClient;
  let states: ConnectionState[];

  async function start(
    options: Partial<ConstructorParameters<typeof WampClient>[0]> = {},
    peerOptions: { respond?: (frame: Frame) => Frame[] | undefined; autoWelcome?: boolean } = {},
  ): Promise<void> {
    peer = await ScriptedPeer.start({ serializer: 'json', ...peerOptions });
    client = new WampClient({ url: peer.url, realm: 'realm1', serializers: ['json'], reconnect: { initialDelay: 20, jitter: 0 }, ...options });
    states = [];
    client.state$.subscribe((state) => states.push(state));
  }

  afterEach(async () => {
    await client.close();
    await peer.stop();
  });

  it('state$ goes idle → connecting → open → closed (willRetry) → reconnecting → connecting → open → closed', async () => {
    await start();
    await client.connect();
    peer.dropConnection();
    await until(() => states.filter((s) => s.status === 'open').length === 2);
    await client.close();
    expect(states.map((s) => s.status)).to.deep.equal(['idle', 'connecting', 'open', 'closed', 'reconnecting', 'connecting', 'open', 'closed']);
    const open = states[2] as Extract<ConnectionState, { status: 'open' }>;
    expect(open.session).to.include({ id: 4242, realm: 'realm1' });
    expect(open.routerFeatures.dealer).to.deep.equal({ progressive_call_results: true, call_canceling: true });
    const lost = states[3] as Extract<ConnectionState, { status: 'closed' }>;
    expect([lost.willRetry, (lost.error as WampConnectionError).code]).to.deep.equal([true, 'lost']);
    expect(states[4]).to.deep.include({ status: 'reconnecting', attempt: 1, delay: 20 });
    const closed = states.at(-1) as Extract<ConnectionState, { status: 'closed' }>;
    expect([closed.willRetry, (closed.error as WampConnectionError).code]).to.deep.equal([false, 'closed']);
  });

  it('in-flight calls fail at once with a retryable WampConnectionError, and retry() re-issues them on the next session', async () => {
    await start();
    const { retry } = await import('rxjs');
    const result = firstValueFrom(client.call$('com.myapp.x').pipe(retry({ count: 1, delay: 0 })));
    const failed = firstValueFrom(client.call$('com.myapp.y')).catch((e: unknown) => e);
    await peer.next((f) => f[0] === 48 && f[3] === 'com.myapp.x');
    await peer.next((f) => f[0] === 48 && f[3] === 'com.myapp.y');
    peer.dropConnection();
    const error = (await failed) as WampConnectionError;
    expect([error.code, error.retryable]).to.deep.equal(['lost', true]);
    // The retried CALL waits for the new session and goes out there (request id 1 again).
    const [, id, , procedure] = await peer.next(48);
    expect([id, procedure]).to.deep.equal([1, 'com.myapp.x']);
    peer.send([50, id, {}, ['second time']]);
    expect((await result).args).to.deep.equal(['second time']);
  });

  it('operations started while reconnecting wait for the new session', async () => {
    await start({ reconnect: { initialDelay: 200, jitter: 0 } });
    await client.connect();
    peer.dropConnection();
    await until(() => client.state.status === 'reconnecting');
    const call = firstValueFrom(client.call$('com.myapp.later'));
    const [, id] = await peer.next(48);
    peer.send([50, id, {}, ['served']]);
    expect((await call).args).to.deep.equal(['served']);
  });

  it('close() during a backoff stops it at once: closed, nothing retried, waiting operations fail with closed', async () => {
    await start({ reconnect: { initialDelay: 60_000, jitter: 0 } });
    await client.connect();
    await peer.next(1);
    peer.dropConnection();
    await until(() => client.state.status === 'reconnecting');
    const waiting = firstValueFrom(client.call$('com.myapp.x')).catch((e: unknown) => e);
    await client.close();
    expect(client.state).to.include({ status: 'closed', willRetry: false });
    expect(((await waiting) as WampConnectionError).code).to.equal('closed');
    await settle(50);
    expect(peer.sent(1)).to.deep.equal([]); // no new HELLO
  });

  it('gives up after maxAttempts: the state is closed and held registrations error with the last failure', async () => {
    await start({ reconnect: { initialDelay: 10, maxAttempts: 2, jitter: 0 } });
    const registration = new Promise<unknown>((resolve) => client.registerStream('com.myapp.p', () => NEVER).subscribe({ error: resolve }));
    const [, requestId] = await peer.next(64);
    peer.send([65, requestId, 5]);
    await settle();
    await peer.stop(); // nothing listens any more: every attempt is refused
    const error = (await registration) as WampConnectionError;
    expect(error.code).to.equal('connect-failed');
    expect(states.filter((s) => s.status === 'reconnecting').map((s) => (s as { attempt: number }).attempt)).to.deep.equal([1, 2]);
    expect(client.state).to.include({ status: 'closed', willRetry: false });
    peer = await ScriptedPeer.start({ serializer: 'json' }); // for afterEach
  });

  it('does not retry after an ABORT for authentication on a rejoin, nor after a router GOODBYE wamp.close.killed', async () => {
    let hellos = 0;
    await start(
      {},
      {
        autoWelcome: false,
        respond: (frame) => {
          if (frame[0] !== 1) return undefined;
          hellos++;
          return hellos === 1 ? [[2, 1, {}]] : [[3, { message: 'the ticket expired' }, 'wamp.error.authentication_failed']];
        },
      },
    );
    const registration = new Promise<unknown>((resolve) => client.registerStream('com.myapp.p', () => NEVER).subscribe({ error: resolve }));
    await peer.next(64);
    peer.dropConnection();
    const error = (await registration) as WampError;
    expect(error).to.be.instanceOf(WampError);
    expect(error.uri).to.equal('wamp.error.authentication_failed');
    expect(hellos).to.equal(2);
    expect(client.state).to.include({ status: 'closed', willRetry: false });

    const killed = new WampClient({ url: peer.url, realm: 'realm1', serializers: ['json'], reconnect: { initialDelay: 10 } });
    hellos = 0;
    const call = firstValueFrom(killed.call$('com.myapp.x')).catch((e: unknown) => e);
    await peer.next(48);
    peer.send([6, { message: 'kicked' }, 'wamp.close.killed']);
    const goodbye = (await call) as WampConnectionError;
    expect([goodbye.code, goodbye.reason, goodbye.retryable]).to.deep.equal(['router-closed', 'wamp.close.killed', false]);
    expect(killed.state).to.include({ status: 'closed', willRetry: false });
    await killed.close();
  });

  it('a registration refused on the new session errors that Observable only; the others are restored', async () => {
    await start();
    const refused = new Promise<unknown>((resolve) => client.registerStream('com.myapp.taken', () => NEVER).subscribe({ error: resolve }));
    const kept: number[] = [];
    client.registerStream('com.myapp.free', () => NEVER).subscribe({ next: (r) => kept.push(r.id) });
    for (let i = 0; i < 2; i++) {
      const [, id] = await peer.next(64);
      peer.send([65, id, 100 + (id as number)]);
    }
    await until(() => kept.length === 1);
    peer.dropConnection();
    const first = await peer.next(64);
    const second = await peer.next(64);
    for (const [, id, , procedure] of [first, second]) {
      if (procedure === 'com.myapp.taken') peer.send([8, 64, id, {}, 'wamp.error.procedure_already_exists']);
      else peer.send([65, id, 200]);
    }
    expect(((await refused) as WampError).uri).to.equal('wamp.error.procedure_already_exists');
    await until(() => kept.length === 2);
    expect(kept[1]).to.equal(200);
  });

  it('idleTimeout (the browser-side liveness deadline): a connection that carries nothing for that long is lost', async () => {
    await start({ pingInterval: 0, idleTimeout: 150, reconnect: false });
    const call = firstValueFrom(client.call$('com.myapp.silence')).catch((e: unknown) => e);
    await peer.next(48); // the router takes the CALL and then says nothing at all
    const error = (await call) as WampConnectionError;
    expect([error.code, error.retryable]).to.deep.equal(['lost', true]);
    expect(error.message).to.match(/nothing received for 150 ms/);
  });

  it("idleTimeout is kept from firing by any traffic (here: the router's progressive results)", async () => {
    await start({ pingInterval: 0, idleTimeout: 1_000, reconnect: false });
    const results: unknown[] = [];
    const done = new Promise<void>((resolve, reject) =>
      client.call$('com.myapp.slow').subscribe({ next: (r) => results.push(r.args[0]), complete: resolve, error: reject }),
    );
    const [, id] = await peer.next(48);
    for (let i = 0; i < 8; i++) {
      peer.send([50, id, { progress: true }, [i]]);
      await until(() => results.length === i + 1);
      await settle(300); // 8 × 300 ms: well past one idle deadline, never a whole one of silence
    }
    peer.send([50, id, {}, ['end']]);
    await done;
    expect(results).to.have.length(9);
  });

  it('an acknowledged publish fails (not hangs) when GOODBYE arrives in the same tick as WELCOME (finding 3)', async () => {
    await start(
      { reconnect: false },
      {
        autoWelcome: false,
        respond: (frame) =>
          frame[0] === 1
            ? [
                [2, 1, {}],
                [6, { message: 'bye' }, 'wamp.close.system_shutdown'],
              ]
            : undefined,
      },
    );
    const error = (await client.publish('com.myapp.t', [], {}, { acknowledge: true }).catch((e: unknown) => e)) as WampConnectionError;
    expect(error).to.be.instanceOf(WampConnectionError);
    expect([error.code, error.reason]).to.deep.equal(['router-closed', 'wamp.close.system_shutdown']);
  });
});
