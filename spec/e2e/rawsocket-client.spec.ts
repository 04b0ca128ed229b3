import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { filter, firstValueFrom, lastValueFrom, Observable, range, take, toArray } from 'rxjs';
import { final, ready, WampClient, type CallResult, type SerializerName, type WampEvent } from '../../src/index.js';
import { rawSocket } from '../../src/rawsocket.js';
import { Router } from '../../src/router/index.js';
import { ALL_SERIALIZERS } from '../helpers/codecs.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { createTestCertificate } from '../helpers/tls.js';
import { until } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

/** rxwamp's RawSocket client transport (rs://) against the embedded router's RawSocket listener. */
describe('e2e: rxwamp over WAMP-RawSocket (rs://) against the embedded router', function () {
  this.timeout(30_000);
  let router: EmbeddedRouter;
  let rsUrl = '';
  const clients: WampClient[] = [];
  const held: Array<{ unsubscribe(): void }> = [];
  const newClient = (serializer: SerializerName, url = rsUrl, extra: Partial<ConstructorParameters<typeof WampClient>[0]> = {}) => {
    const client = new WampClient({ url, realm: 'realm1', serializers: [serializerEntry(serializer)], transports: [rawSocket], ...extra });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    router = await startEmbeddedRouter();
    rsUrl = (await router.router.listenRawSocket({ host: '127.0.0.1', port: 0 })).url;
  });
  afterEach(async () => {
    for (const subscription of held.splice(0)) subscription.unsubscribe();
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    await router.stop();
  });

  for (const serializer of ['json', 'cbor', 'msgpack'] as const) {
    describe(`over ${serializer}`, () => {
      it('a registerStream callee answers with progressive results and a final one', async () => {
        const callee = newClient(serializer);
        const caller = newClient(serializer);
        held.push(
          await ready(
            callee.registerStream('com.example.countdown', async function* ([from]) {
              for (let n = from as number; n > 0; n--) yield n;
              yield final('liftoff');
            }),
          ),
        );
        const results = await lastValueFrom(caller.call$('com.example.countdown', [3]).pipe(toArray()));
        expect(results.map((r) => [r.progress, r.args[0]])).to.deep.equal([
          [true, 3],
          [true, 2],
          [true, 1],
          [false, 'liftoff'],
        ]);
        expect((await firstValueFrom(caller.state$)).status).to.equal('open');
      });

      it('unsubscribing from a call in progress sends CANCEL: the callee sees its stream end', async () => {
        const callee = newClient(serializer);
        const caller = newClient(serializer);
        let tornDown = false;
        held.push(
          await ready(
            callee.registerStream(
              'com.example.forever',
              () =>
                new Observable<number>((subscriber) => {
                  let n = 0;
                  const timer = setInterval(() => subscriber.next(n++), 5);
                  return () => {
                    clearInterval(timer);
                    tornDown = true;
                  };
                }),
            ),
          ),
        );
        const results = await lastValueFrom(caller.call$('com.example.forever').pipe(take(3), toArray()));
        expect(results.map((r) => r.args[0])).to.deep.equal([0, 1, 2]);
        await until(() => tornDown);
      });

      it('a duplex callStream$ sends its input as progressive invocations and gets every echo back', async () => {
        const callee = newClient(serializer);
        const caller = newClient(serializer);
        held.push(
          await ready(
            callee.registerDuplex(
              'com.example.echo',
              (input$) =>
                new Observable<unknown>((subscriber) => {
                  let count = 0;
                  return input$.subscribe({
                    next: (n) => {
                      count++;
                      subscriber.next((n as number) * 2);
                    },
                    error: (error: unknown) => subscriber.error(error),
                    complete: () => {
                      subscriber.next(final(count));
                      subscriber.complete();
                    },
                  });
                }),
            ),
          ),
        );
        const results: CallResult[] = await lastValueFrom(caller.callStream$('com.example.echo', range(0, 100)).pipe(toArray()));
        expect(results.filter((r) => r.progress).map((r) => r.args[0])).to.deep.equal(Array.from({ length: 100 }, (_, i) => i * 2));
        expect(results.at(-1)).to.deep.include({ progress: false, args: [100] });
      });

      it('publish and topic$ carry events both ways', async () => {
        const subscriber = newClient(serializer);
        const publisher = newClient(serializer);
        const events: WampEvent[] = [];
        let subscribed!: () => void;
        const onSubscribed = new Promise<void>((resolve) => {
          subscribed = resolve;
        });
        held.push(subscriber.topic$('com.example.news', { onSubscribed: () => subscribed() }).subscribe((event) => events.push(event)));
        await onSubscribed;
        await publisher.publish('com.example.news', ['hello', { n: 1 }], { k: 'v' }, { acknowledge: true });
        await until(() => events.length === 1);
        expect(events[0]).to.deep.include({ args: ['hello', { n: 1 }], kwargs: { k: 'v' } });
      });
    });
  }

  it('reconnects after the router restarts on the same port, and its registration is restored', async () => {
    const port = Number(new URL(rsUrl.replace(/^rs:/, 'http:')).port);
    const callee = newClient('json', rsUrl, { reconnect: { initialDelay: 50, maxDelay: 200, jitter: 0 } });
    held.push(await ready(callee.register('com.example.ping', () => 'pong')));
    await router.stop();
    await firstValueFrom(callee.state$.pipe(filter((state) => state.status !== 'open')));
    // A new router on the same RawSocket port (its WebSocket port is a fresh one).
    const second = new Router({ realms: ['realm1'], serializers: ALL_SERIALIZERS, closeGraceMs: 200 });
    await second.listenRawSocket({ host: '127.0.0.1', port });
    router = { url: '', realm: 'realm1', router: second, stop: () => second.close() };
    await firstValueFrom(callee.state$.pipe(filter((state) => state.status === 'open')));
    const caller = newClient('json');
    const [result] = await lastValueFrom(caller.call$('com.example.ping').pipe(toArray()));
    expect(result!.args).to.deep.equal(['pong']);
  });

  it('connects over a Unix socket: rs://unix:/absolute/path', async () => {
    const dir = mkdtempSync(joinPath(tmpdir(), 'rxwamp-rs-'));
    try {
      const { url } = await router.router.listenRawSocket({ path: joinPath(dir, 'wamp.sock') });
      expect(url).to.equal(`rs://unix:${joinPath(dir, 'wamp.sock')}`);
      const callee = newClient('cbor', url);
      const caller = newClient('msgpack', url);
      held.push(await ready(callee.register('com.example.add', ([a, b]) => (a as number) + (b as number))));
      const [result] = await lastValueFrom(caller.call$('com.example.add', [2, 3]).pipe(toArray()));
      expect(result!.args).to.deep.equal([5]);
      await Promise.all(clients.splice(0).map((client) => client.close()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("connects over TLS: rss://host:port with the client's tls options (a TLS proxy in front of the RawSocket listener)", async () => {
    const certificate = await createTestCertificate();
    const port = Number(new URL(rsUrl.replace(/^rs:/, 'http:')).port);
    const proxy = createTlsServer({ key: certificate.key, cert: certificate.cert }, (secure) => {
      const upstream = connectTcp(port, '127.0.0.1');
      secure.on('error', () => upstream.destroy());
      upstream.on('error', () => secure.destroy());
      secure.pipe(upstream).pipe(secure);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const url = `rss://localhost:${(proxy.address() as { port: number }).port}`;
      const untrusting = newClient('json', url, { reconnect: false });
      const refused = await untrusting.connect().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect((refused as Error).message).to.match(/cannot connect to rss:\/\/localhost:\d+: .*(certificate|self-signed)/i);
      const client = newClient('cbor', url, { tls: { ca: certificate.ca } });
      held.push(await ready(client.register('com.example.secure', () => 'over tls')));
      const [result] = await lastValueFrom(client.call$('com.example.secure').pipe(toArray()));
      expect(result!.args).to.deep.equal(['over tls']);
      await Promise.all(clients.splice(0).map((each) => each.close().catch(() => undefined)));
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('a mixed list fails over: a dead rs:// endpoint first, then the live ws:// one, and the reverse', async () => {
    const deadRs = 'rs://127.0.0.1:1';
    const toWs = newClient('json', [deadRs, router.url] as unknown as string);
    await toWs.connect();
    expect(await firstValueFrom(toWs.state$)).to.deep.include({ status: 'open', url: router.url });
    const toRs = newClient('json', ['ws://127.0.0.1:1/ws', rsUrl] as unknown as string);
    await toRs.connect();
    expect(await firstValueFrom(toRs.state$)).to.deep.include({ status: 'open', url: rsUrl });
  });

  it('an rs:// URL without transports: [rawSocket] is a TypeError at construction saying what to import', () => {
    for (const url of [rsUrl, 'rss://router.example.com:443', 'rs://unix:/tmp/wamp.sock']) {
      expect(() => new WampClient({ url, realm: 'realm1' })).to.throw(
        TypeError,
        `options.url must be a ws://, wss://, http:// or https:// URL (rs:// with rxwamp/rawsocket), got "${url}"`,
      );
    }
    expect(() => new WampClient({ url: ['ws://127.0.0.1:1/ws', rsUrl], realm: 'realm1' })).to.throw(TypeError, `got "${rsUrl}"`);
    expect(() => new WampClient({ url: rsUrl, realm: 'realm1', transports: [rawSocket] })).not.to.throw();
  });
});
