import { expect } from 'chai';
import { filter, firstValueFrom, interval, lastValueFrom, Observable, take, toArray } from 'rxjs';
import { cbor } from '../../src/cbor.js';
import { WampClient, type CallResult, type WampEvent } from '../../src/index.js';
import { MemoryRouter } from '../../src/testing/memory-router.js';
import { until } from '../helpers/scripted-peer.js';

type Serializers = ConstructorParameters<typeof WampClient>[0]['serializers'];

/** Timers (setTimeout/setInterval) alive in this process now. */
const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

const joined = (registration: ReturnType<WampClient['register']>) =>
  new Promise<void>((resolve, reject) => {
    registration.subscribe({ next: () => resolve(), error: reject });
  });

for (const [name, serializers] of [
  ['JSON', ['json']],
  ['CBOR', [cbor]],
] as ReadonlyArray<readonly [string, Serializers]>) {
  describe(`testing: the in-memory transport (MemoryRouter), ${name}`, () => {
    let router: MemoryRouter;
    let clients: WampClient[];
    const memoryClient = (options: { readonly reconnect?: false } = {}) => {
      const client = new WampClient({ url: 'ws://in-memory/ws', realm: 'realm1', serializers, WebSocket: router.WebSocket, ...options });
      clients.push(client);
      return client;
    };

    beforeEach(() => {
      router = new MemoryRouter({ realms: ['realm1'], serializers: ['json', cbor] });
      clients = [];
    });
    afterEach(async () => {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await router.close();
    });

    it('joins the realm over the serializer asked for, with no socket', async () => {
      const client = memoryClient();
      await client.connect();
      expect(router.sessionCount('realm1')).to.equal(1);
      const state = await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open')));
      expect(state.status).to.equal('open');
      expect(router.transport.openConnections).to.equal(1);
    });

    it('opens, delivers and closes asynchronously, with close codes and reasons both ways', async () => {
      const MemoryWebSocket = router.WebSocket;
      const events: string[] = [];
      const refused = new MemoryWebSocket('ws://in-memory/ws', ['wamp.2.msgpack']);
      refused.onerror = () => events.push('refused: error');
      refused.onclose = (event: { code: number; reason: string }) => events.push(`refused: close ${event.code} ${event.reason}`);
      const socket = new MemoryWebSocket('ws://in-memory/ws', ['wamp.2.msgpack', 'wamp.2.json']);
      socket.onopen = () => events.push(`open ${socket.protocol}`);
      socket.onclose = (event: { code: number; reason: string }) => events.push(`close ${event.code} ${event.reason}`);
      expect(events).to.deep.equal([]); // nothing happens within the constructor
      expect(socket.readyState).to.equal(0);
      await until(() => socket.readyState === 1);
      expect(socket.bufferedAmount).to.equal(0);
      expect(events).to.deep.equal(['refused: error', 'refused: close 1002 no supported WAMP subprotocol offered', 'open wamp.2.json']);
      const silent = new MemoryWebSocket('ws://in-memory/ws', ['wamp.2.json']);
      let silentClose = 0;
      silent.onclose = (event: { code: number }) => (silentClose = event.code);
      await until(() => silent.readyState === 1);
      silent.close(); // no code: the close frame has none, reported as 1005 (as ws and browsers do)
      await until(() => silentClose !== 0);
      expect(silentClose).to.equal(1005);
      socket.close(4001, 'client says bye');
      expect(events).to.have.length(3); // the close is reported later, never from within close()
      await until(() => socket.readyState === 3);
      expect(events.at(-1)).to.equal('close 4001 client says bye');
      expect(router.transport.openConnections).to.equal(0);
      expect(router.sessionCount('realm1')).to.equal(0);

      const dropped = new MemoryWebSocket('ws://in-memory/ws', ['wamp.2.json']);
      const frames: unknown[] = []; // the router answers a frame it cannot read with ABORT, then closes
      let closedWith = '';
      dropped.onmessage = (event: { data: unknown }) => frames.push(event.data);
      dropped.onclose = (event: { code: number; reason: string }) => (closedWith = `${event.code} ${event.reason}`);
      await until(() => dropped.readyState === 1);
      dropped.send('not json');
      await until(() => dropped.readyState === 3);
      // The router's own close code and reason for an undecodable frame.
      expect(closedWith).to.equal('1000 wamp.error.protocol_violation');
      // Sent before the close, so delivered before it, as over a WebSocket.
      expect(frames.map((frame) => JSON.parse(String(frame)) as unknown[]).map((message) => [message[0], message[2]])).to.deep.equal([
        [3, 'wamp.error.protocol_violation'],
      ]);
    });

    it('call$ receives progressive results from a registerStream callee, then the final one', async () => {
      const callee = memoryClient();
      const caller = memoryClient();
      await joined(callee.registerStream('com.example.count', (args) => interval(1).pipe(take(Number(args[0])))));
      const results = await lastValueFrom(caller.call$('com.example.count', [3], {}, { receiveProgress: true }).pipe(toArray()));
      const progress = results.filter((result: CallResult) => result.progress).map((result) => result.args[0]);
      expect(progress).to.deep.equal([0, 1, 2]);
      expect(results.at(-1)?.progress).to.equal(false);
    });

    it("unsubscribing from call$ sends CANCEL: the callee's stream is torn down", async () => {
      const callee = memoryClient();
      const caller = memoryClient();
      let tornDown = false;
      await joined(
        callee.registerStream(
          'com.example.slow',
          () =>
            new Observable<number>((subscriber) => {
              const ticks = interval(5).subscribe(subscriber);
              return () => {
                tornDown = true;
                ticks.unsubscribe();
              };
            }),
        ),
      );
      const seen: CallResult[] = [];
      await new Promise<void>((resolve, reject) => {
        const subscription = caller.call$('com.example.slow', [], {}, { receiveProgress: true, cancelMode: 'kill' }).subscribe({
          next: (result) => {
            seen.push(result);
            if (seen.length === 2) {
              subscription.unsubscribe();
              resolve();
            }
          },
          error: reject,
        });
      });
      await until(() => tornDown);
      expect(seen.map((result) => result.args[0])).to.deep.equal([0, 1]);
    });

    it('delivers events between three in-memory clients, every way', async () => {
      const members = [memoryClient(), memoryClient(), memoryClient()];
      const received: string[][] = members.map(() => []);
      const subscriptions = members.map((member, index) =>
        member.topic$('com.example.chat').subscribe((event: WampEvent) => received[index]!.push(String(event.args[0]))),
      );
      await Promise.all(members.map((member) => member.connect()));
      // SUBSCRIBED is not observable from topic$: member 0 says "ready" until everyone heard it.
      for (let round = 0; !received.every((messages) => messages.includes('ready')); round++) {
        if (round === 2_000) expect.fail(`not every member heard "ready": ${JSON.stringify(received.map((messages) => messages.length))}`);
        await members[0]!.publish('com.example.chat', ['ready'], {}, { acknowledge: true, excludeMe: false });
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const messages of received) messages.length = 0;
      for (const [index, member] of members.entries()) {
        // Not excluding the publisher: each member hears every message, its own included.
        await member.publish('com.example.chat', [`from ${index}`], {}, { acknowledge: true, excludeMe: false });
      }
      await until(() => received.every((messages) => messages.length === 3));
      for (const messages of received) expect([...messages].sort()).to.deep.equal(['from 0', 'from 1', 'from 2']);
      for (const subscription of subscriptions) subscription.unsubscribe();
    });

    it("router.close() ends the in-memory client's session, and leaves no timer or connection", async () => {
      // Counted once mocha armed this test's own timeout (after the test function first yields).
      await new Promise((resolve) => setImmediate(resolve));
      const timersBefore = activeTimers();
      const client = memoryClient({ reconnect: false });
      await client.connect();
      const closed = firstValueFrom(client.state$.pipe(filter((state) => state.status === 'closed' || state.status === 'reconnecting')));
      await router.close();
      const state = await closed;
      expect(state.status).to.equal('closed');
      expect(router.sessionCount('realm1')).to.equal(0);
      await client.close();
      await until(() => router.transport.openConnections === 0);
      // The client's and the router's timers are cleared by now: one turn of the event loop is enough.
      await new Promise((resolve) => setImmediate(resolve));
      expect(activeTimers(), String(process.getActiveResourcesInfo())).to.be.at.most(timersBefore);
    });

    it('a client opened while the router closes is refused, and a closed client leaves nothing open', async () => {
      const client = memoryClient();
      await client.connect();
      await client.close();
      await until(() => router.transport.openConnections === 0);
      expect(router.sessionCount('realm1')).to.equal(0);
      await router.close();
      const late = memoryClient({ reconnect: false });
      const error = await late.connect().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).to.be.instanceOf(Error);
      expect(router.transport.openConnections).to.equal(0);
    });
  });
}
