import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, NEVER } from 'rxjs';
import { WebSocketServer } from 'ws';
import { ready, WampClient, WampConnectionError, WampError, type WampEvent } from '../../src/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { ScriptedPeer, settle, until } from '../helpers/scripted-peer.js';
import { failure } from '../helpers/failure.js';

/** Regression tests for the findings of issue #7 that the other fault specs do not cover. */

describe('faults: findings of issue #7', function () {
  this.timeout(30_000);
  const problems: string[] = [];
  const onUnhandled = (error: unknown) => problems.push(String(error));
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => process.off('unhandledRejection', onUnhandled));

  describe('2: bad options on a client not yet connected', () => {
    let peer: ScriptedPeer;
    beforeEach(async () => {
      peer = await ScriptedPeer.start({
        serializer: 'json',
        respond: (f) => (f[0] === 48 ? [[50, f[1], {}, ['ok']]] : f[0] === 64 ? [[65, f[1], 9]] : f[0] === 32 ? [[33, f[1], 8]] : undefined),
      });
    });
    afterEach(() => peer.stop());

    it('null options mean no options; a throwing getter errors its own Observable with a TypeError; nothing is left unhandled', async () => {
      const client = new WampClient({ url: peer.url, realm: 'realm1', serializers: ['json'] });
      const hostile = Object.defineProperty({}, 'timeout', {
        get() {
          throw new Error('getter throws');
        },
      });
      const bad = await failure<Error>(firstValueFrom(client.call$('com.x', [], {}, hostile)));
      expect(bad).to.be.instanceOf(TypeError);
      expect(bad.message).to.match(/getter throws/);
      expect((await firstValueFrom(client.call$('com.x', [], {}, null as never))).args).to.deep.equal(['ok']);
      expect((await firstValueFrom(client.register('com.r', () => 1, null as never))).id).to.equal(9);
      const subscribed = new Promise((resolve) =>
        client
          .topic$('com.t', null as never)
          .subscribe({ error: resolve })
          .add(() => resolve(undefined)),
      );
      await peer.next(32);
      await client.close();
      await subscribed;
      await settle();
      expect(problems).to.deep.equal([]);
    });
  });

  describe('4: close() ends every pending operation the same way', () => {
    it('a pending CALL, REGISTER and SUBSCRIBE all error with the one WampConnectionError closed; active ones complete', async () => {
      const peer = await ScriptedPeer.start({ serializer: 'json' });
      const client = new WampClient({ url: peer.url, realm: 'realm1', serializers: ['json'] });
      const active: string[] = [];
      client.registerStream('com.active', () => NEVER).subscribe({ complete: () => active.push('registration') });
      const [, registerId] = await peer.next(64);
      peer.send([65, registerId, 1]);
      await settle();
      const call = failure<Error>(firstValueFrom(client.call$('com.c')));
      const register = failure<Error>(firstValueFrom(client.register('com.r', () => 1)));
      const subscribe = failure<Error>(firstValueFrom(client.topic$('com.t')));
      await peer.next(48);
      await peer.next(64);
      await peer.next(32);
      await client.close();
      const errors = await Promise.all([call, register, subscribe]);
      for (const error of errors) expect([error.name, (error as WampConnectionError).code]).to.deep.equal(['WampConnectionError', 'closed']);
      expect(errors[0]).to.equal(errors[1]).and.to.equal(errors[2]);
      expect(active).to.deep.equal(['registration']);
      await peer.stop();
    });
  });

  describe('7: limits', () => {
    let router: EmbeddedRouter;
    beforeEach(async () => {
      router = await startEmbeddedRouter();
    });
    afterEach(() => router.stop());

    it('connectTimeout is one deadline for the WebSocket and the join together', async () => {
      // The upgrade is answered after 700 ms, HELLO never: the whole attempt must end near 1000 ms, not 1700.
      const server = new WebSocketServer({
        host: '127.0.0.1',
        port: 0,
        handleProtocols: () => 'wamp.2.json',
        verifyClient: (_info, done) => {
          setTimeout(() => done(true), 700);
        },
      });
      await new Promise((resolve) => server.once('listening', resolve));
      const client = new WampClient({
        url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
        realm: 'realm1',
        serializers: ['json'],
        connectTimeout: 1_000,
      });
      const startedAt = performance.now();
      const error = (await failure<Error>(client.connect())) as WampConnectionError;
      const elapsed = performance.now() - startedAt;
      expect(error.code).to.equal('timeout');
      expect(elapsed, `ended after ${elapsed.toFixed(0)} ms`).to.be.below(1_600);
      await new Promise((resolve) => server.close(resolve));
    });

    it('a 20 MB procedure URI is refused with a TypeError and sends nothing', async () => {
      const client = new WampClient({ url: router.url, realm: router.realm });
      const error = await failure<Error>(firstValueFrom(client.call$(`com.${'x'.repeat(20 * 1024 * 1024)}`)));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.match(/over the limit of 4096/);
      expect(client.state.status).to.equal('idle');
    });

    it('an outgoing CALL or YIELD over maxMessageSize fails alone with payload_size_exceeded; the session and other calls go on', async () => {
      const callee = new WampClient({ url: router.url, realm: router.realm, maxMessageSize: 64 * 1024 });
      await ready(callee.register('com.echo.size', ([n]) => 'z'.repeat(n as number)));
      const caller = new WampClient({ url: router.url, realm: router.realm, maxMessageSize: 64 * 1024 });
      const tooBig = failure<Error>(firstValueFrom(caller.call$('com.echo.size', ['y'.repeat(100 * 1024)])));
      const fine = firstValueFrom(caller.call$('com.echo.size', [10]));
      const error = (await tooBig) as WampError;
      expect([error.name, error.uri]).to.deep.equal(['WampError', 'wamp.error.payload_size_exceeded']);
      expect((await fine).args).to.deep.equal(['z'.repeat(10)]);
      // The callee's result is over its own limit: the caller gets the error, the callee stays up.
      const yieldTooBig = (await failure<Error>(firstValueFrom(caller.call$('com.echo.size', [100 * 1024])))) as WampError;
      expect(yieldTooBig.uri).to.equal('wamp.error.payload_size_exceeded');
      expect((await firstValueFrom(caller.call$('com.echo.size', [3]))).args).to.deep.equal(['zzz']);
      expect(caller.state.status).to.equal('open');
      await Promise.all([caller.close(), callee.close()]);
    });

    it('an incoming message over maxMessageSize drops the connection, fails what was pending, and reconnects', async () => {
      const callee = new WampClient({ url: router.url, realm: router.realm });
      await ready(callee.register('com.big', () => 'b'.repeat(100 * 1024)));
      const caller = new WampClient({ url: router.url, realm: router.realm, maxMessageSize: 64 * 1024, reconnect: { initialDelay: 10 } });
      await caller.connect();
      const error = (await failure<Error>(firstValueFrom(caller.call$('com.big')))) as WampConnectionError;
      expect(error.code).to.equal('lost');
      expect(error.message).to.match(/Max payload size exceeded/);
      await until(() => caller.state.status === 'open');
      await Promise.all([caller.close(), callee.close()]);
    });
  });

  describe('8: readiness without sleeping', () => {
    let router: EmbeddedRouter;
    beforeEach(async () => {
      router = await startEmbeddedRouter();
    });
    afterEach(() => router.stop());

    it('ready(register(...)) resolves once registered and keeps the registration until unsubscribed', async () => {
      const callee = new WampClient({ url: router.url, realm: router.realm });
      const caller = new WampClient({ url: router.url, realm: router.realm });
      const held = await ready(callee.register('com.ready.add', ([a, b]) => (a as number) + (b as number)));
      expect(held.value.procedure).to.equal('com.ready.add');
      expect((await firstValueFrom(caller.call$('com.ready.add', [2, 3]))).args).to.deep.equal([5]);
      held.unsubscribe();
      expect(await held.ended).to.equal(undefined);
      // A round trip on the callee's own connection: the router has handled its UNREGISTER.
      await failure<Error>(firstValueFrom(callee.call$('com.ready.nothing')));
      const gone = (await failure<Error>(firstValueFrom(caller.call$('com.ready.add', [2, 3])))) as WampError;
      expect(gone.uri).to.equal('wamp.error.no_such_procedure');
      await Promise.all([caller.close(), callee.close()]);
    });

    it('topic$ onSubscribed: an event published right after it fires is received', async () => {
      const subscriber = new WampClient({ url: router.url, realm: router.realm });
      const publisher = new WampClient({ url: router.url, realm: router.realm });
      const received: WampEvent[] = [];
      await new Promise<void>((resolve, reject) => {
        subscriber.topic$('com.ready.news', { onSubscribed: () => resolve() }).subscribe({ next: (e) => received.push(e), error: reject });
      });
      await publisher.publish('com.ready.news', ['first'], {}, { acknowledge: true });
      await until(() => received.length === 1);
      expect(received[0]!.args).to.deep.equal(['first']);
      await Promise.all([subscriber.close(), publisher.close()]);
    });
  });
});
