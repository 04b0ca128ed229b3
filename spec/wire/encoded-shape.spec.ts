import { expect } from 'chai';
import { firstValueFrom, Subject } from 'rxjs';
import { payload, ready, SerializationError, WampClient, WampError, type ConnectionStatus, type SerializerName } from '../../src/index.js';
import { startEmbeddedRouter } from '../helpers/embedded-router.js';
import { startRouterProcess, type RouterProcess } from '../helpers/router-process.js';
import { describeWire, SERIALIZERS, until, type Frame } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

/**
 * Issue #18, finding 9: input is checked as it will be sent. A value that passes the client's
 * "array" / "plain object" checks but serializes to another shape (toJSON, a getter, an own
 * `constructor`) used to reach the router as an invalid message; the router then ended the
 * session and every unrelated operation on it failed. Now the one operation fails with a
 * SerializationError, nothing is sent and the session carries on.
 */

const nonEnumerable = <T extends object>(target: T, key: string, value: unknown): T => Object.defineProperty(target, key, { value, enumerable: false });
const getter = <T extends object>(target: T, key: string, get: () => unknown): T => Object.defineProperty(target, key, { get, enumerable: false });

/** An input that passes call$'s and publish's checks, and the serializers that would write it as another shape. */
interface Case {
  readonly name: string;
  readonly args: () => unknown[];
  readonly kwargs?: () => Record<string, unknown>;
  readonly refusedBy: readonly SerializerName[];
}

const CASES: readonly Case[] = [
  // JSON writes 5 in the kwargs slot; cbor-x and msgpackr refuse the function member itself.
  { name: 'toJSON on kwargs', args: () => [], kwargs: () => ({ a: 1, toJSON: () => 5 }), refusedBy: ['json', 'cbor', 'msgpack'] },
  { name: 'toJSON on args', args: () => Object.assign([1], { toJSON: () => ({ a: 1 }) }), refusedBy: ['json'] },
  { name: 'a non-enumerable toJSON on kwargs', args: () => [], kwargs: () => nonEnumerable({ a: 1 }, 'toJSON', () => 5), refusedBy: ['json'] },
  { name: 'a toJSON getter on kwargs', args: () => [], kwargs: () => getter({ a: 1 }, 'toJSON', () => () => ['x']), refusedBy: ['json'] },
  // cbor-x and msgpackr branch on value.constructor: these plain objects come out as arrays.
  {
    name: 'a constructor getter on kwargs',
    args: () => [],
    kwargs: () => getter({ length: 1, 0: 'x' }, 'constructor', () => Array),
    refusedBy: ['cbor', 'msgpack'],
  },
  { name: 'an own constructor on args', args: () => nonEnumerable([1], 'constructor', Object), refusedBy: ['cbor', 'msgpack'] },
  // msgpackr calls toJSON on anything whose constructor is not Object.
  {
    name: 'a null-prototype kwargs with a non-enumerable toJSON',
    args: () => [],
    kwargs: () => nonEnumerable(Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 }), 'toJSON', () => 5),
    refusedBy: ['json', 'msgpack'],
  },
];

/** What a peer's validation accepts as a dict. */
const isDict = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The outcome of a promise, never a rejection: the error itself, or 'done'. */
const outcome = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'done',
    (error: unknown) => error,
  );

/** Per serializer, kwargs and args it writes as another shape (the callee answers with them). */
function breakers(serializer: SerializerName): { kwargs: () => Record<string, unknown>; args: () => unknown[] } {
  const kwargs = CASES.find((c) => c.kwargs && c.refusedBy.includes(serializer) && c.name !== 'toJSON on kwargs')!.kwargs!;
  const args = CASES.find((c) => c.args().length > 0 && c.refusedBy.includes(serializer))!.args;
  return { kwargs, args };
}

describeWire('wire: input is checked as it will be serialized', (t) => {
  for (const { name, args, kwargs, refusedBy } of CASES) {
    const refused = refusedBy.includes(t.serializer);
    it(`call$ with ${name}: ${refused ? 'refused, nothing sent, no request id used' : 'sent as an array and a dict'}; a pending call completes`, async () => {
      const pending = firstValueFrom(t.client.call$('com.pending'));
      const [, pendingId] = (await t.peer.next(48)) as [number, number];
      const bad = outcome(firstValueFrom(t.client.call$('com.bad', args(), kwargs?.())));
      const after = firstValueFrom(t.client.call$('com.after'));
      let next = await t.peer.next(48);
      if (refused) {
        expect(next[3], 'the CALL after the refused one').to.equal('com.after');
        expect(next[1]).to.equal(pendingId + 1);
        expect(await bad).to.be.instanceOf(SerializationError);
      } else {
        expect(next[3]).to.equal('com.bad');
        expect(next[4]).to.be.an('array');
        if (next.length > 5) expect(isDict(next[5]), JSON.stringify(next[5])).to.equal(true);
        t.peer.send([50, next[1], {}]);
        expect(await bad).to.equal('done');
        next = await t.peer.next(48);
      }
      t.peer.send([50, pendingId, {}, ['pending']]);
      t.peer.send([50, next[1], {}, ['after']]);
      expect((await pending).args).to.deep.equal(['pending']);
      expect((await after).args).to.deep.equal(['after']);
    });
  }

  it('publish with kwargs it would write as another shape: refused, nothing sent; the next publish goes out', async () => {
    const { kwargs } = breakers(t.serializer);
    await t.client.connect();
    const refused = [true, false].map((acknowledge) => outcome(t.client.publish('com.bad', [], kwargs(), { acknowledge })));
    const published = t.client.publish('com.after', [1], {}, { acknowledge: true });
    const frame = await t.peer.next(16);
    expect(frame[3], 'the PUBLISH after the refused ones').to.equal('com.after');
    for (const error of await Promise.all(refused)) expect(error).to.be.instanceOf(SerializationError);
    t.peer.send([17, frame[1], 5]);
    expect(await published).to.deep.include({ id: 5 });
  });

  describe('a callee answer it would write as another shape', () => {
    /** Registers `handler` as registration 77 and returns the frame answering INVOCATION 1001. */
    async function answerTo(handler: () => unknown): Promise<Frame> {
      const held = ready(t.client.register('com.proc', handler));
      const [, requestId] = await t.peer.next(64);
      t.peer.send([65, requestId, 77]);
      await held;
      t.peer.send([68, 1001, 77, {}]);
      return t.peer.next((frame) => frame[0] === 70 || frame[0] === 8);
    }

    it('payload() with such kwargs: ERROR invalid_argument instead of the YIELD', async () => {
      const { kwargs } = breakers(t.serializer);
      let calls = 0;
      const answer = await answerTo(() => (++calls === 1 ? payload([], kwargs()) : payload(['ok'])));
      expect(answer.slice(0, 5)).to.deep.equal([8, 68, 1001, {}, 'wamp.error.invalid_argument']);
      expect((answer[5] as string[])[0]).to.match(/result could not be serialized/);
      t.peer.send([68, 1002, 77, {}]);
      expect(await t.peer.next((f) => f[0] === 70 || f[0] === 8)).to.deep.equal([70, 1002, {}, ['ok']]);
    });

    it('payload() with such args: ERROR invalid_argument instead of the YIELD', async () => {
      const { args } = breakers(t.serializer);
      const answer = await answerTo(() => payload(args()));
      expect(answer.slice(0, 5)).to.deep.equal([8, 68, 1001, {}, 'wamp.error.invalid_argument']);
    });

    it('payload() with args that are no array or kwargs that are no dict: ERROR invalid_argument', async () => {
      let calls = 0;
      const answer = await answerTo(() => (++calls === 1 ? payload(5 as unknown as unknown[]) : payload([], [1] as unknown as Record<string, unknown>)));
      expect(answer.slice(0, 5)).to.deep.equal([8, 68, 1001, {}, 'wamp.error.invalid_argument']);
      expect((answer[5] as string[])[0]).to.match(/args must be an array, kwargs a dict/);
      t.peer.send([68, 1002, 77, {}]);
      const second = await t.peer.next((f) => f[0] === 70 || f[0] === 8);
      expect(second.slice(0, 5)).to.deep.equal([8, 68, 1002, {}, 'wamp.error.invalid_argument']);
    });

    it('a thrown WampError with such kwargs: the ERROR goes out with its URI alone', async () => {
      const { kwargs } = breakers(t.serializer);
      const answer = await answerTo(() => {
        throw new WampError('com.myapp.error.bad', { args: ['why'], kwargs: kwargs() });
      });
      expect(answer).to.deep.equal([8, 68, 1001, {}, 'com.myapp.error.bad']);
    });
  });
});

interface RealRouter {
  url: string;
  realm: string;
  stop(): Promise<void>;
}

/**
 * Against a real router that validates what it receives (and ends the session of a peer that
 * sends an invalid message): each refused operation leaves the session alone, so a call that
 * was pending meanwhile completes and the session id stays the same.
 */
function describeRealRouter(title: string, serializers: readonly SerializerName[], start: () => Promise<RealRouter>): void {
  describe(title, function () {
    this.timeout(30_000);
    let router: RealRouter;
    before(async () => {
      router = await start();
    });
    after(async () => {
      await router?.stop();
    });

    for (const serializer of serializers) {
      describe(`over ${serializer}`, () => {
        let client: WampClient;
        let release: Subject<string>;
        let slowInvoked: boolean;
        const statuses: ConnectionStatus[] = [];
        const { kwargs, args } = breakers(serializer);

        beforeEach(async () => {
          client = new WampClient({ url: router.url, realm: router.realm, serializers: [serializerEntry(serializer)] });
          release = new Subject<string>();
          slowInvoked = false;
          statuses.length = 0;
          client.state$.subscribe((state) => statuses.push(state.status));
          await ready(
            client.register('com.encoded.slow', () => {
              slowInvoked = true;
              return firstValueFrom(release);
            }),
          );
          await ready(client.register('com.encoded.echo', (a, kw) => payload(a, kw)));
        });
        afterEach(async () => {
          await client.close();
        });

        /** Runs `operation` while an unrelated call is pending; checks that call and the session came through. */
        async function withPendingCall(operation: () => Promise<void>): Promise<void> {
          const sessionId = client.session!.id;
          const pending = firstValueFrom(client.call$('com.encoded.slow'));
          await until(() => slowInvoked, 5_000, 'the pending call to reach its callee');
          await operation();
          release.next('done');
          expect((await pending).args, 'the unrelated pending call').to.deep.equal(['done']);
          expect(client.session?.id, 'the session').to.equal(sessionId);
          expect(statuses).not.to.include('reconnecting');
          // And it still works for the next operation.
          expect((await firstValueFrom(client.call$('com.encoded.echo', ['still'], { open: true }))).kwargs).to.deep.equal({ open: true });
        }

        it('call$ with kwargs it would write as another shape fails alone with a SerializationError', async () => {
          await withPendingCall(async () => {
            expect(await outcome(firstValueFrom(client.call$('com.encoded.echo', [], kwargs())))).to.be.instanceOf(SerializationError);
          });
        });

        it('call$ with args it would write as another shape fails alone with a SerializationError', async () => {
          await withPendingCall(async () => {
            expect(await outcome(firstValueFrom(client.call$('com.encoded.echo', args())))).to.be.instanceOf(SerializationError);
          });
        });

        it('publish with kwargs it would write as another shape fails alone with a SerializationError', async () => {
          await withPendingCall(async () => {
            expect(await outcome(client.publish('com.encoded.topic', [], kwargs(), { acknowledge: true }))).to.be.instanceOf(SerializationError);
          });
        });

        it('a callee answering with such a payload() fails that call alone (the caller gets an error)', async () => {
          await ready(client.register('com.encoded.bad_answer', () => payload([], kwargs())));
          await withPendingCall(async () => {
            const error = await outcome(firstValueFrom(client.call$('com.encoded.bad_answer')));
            expect(error).to.be.instanceOf(WampError);
          });
        });

        it('a callee throwing a WampError with such kwargs fails that call alone (with the error URI)', async () => {
          await ready(
            client.register('com.encoded.bad_error', () => {
              throw new WampError('com.encoded.error.x', { kwargs: kwargs() });
            }),
          );
          await withPendingCall(async () => {
            const error = await outcome(firstValueFrom(client.call$('com.encoded.bad_error')));
            expect(error).to.be.instanceOf(WampError);
          });
        });
      });
    }
  });
}

describeRealRouter('real peer: the embedded router (it shares the codecs) keeps the session', SERIALIZERS, async () => {
  const router = await startEmbeddedRouter();
  return { url: router.url, realm: router.realm, stop: () => router.stop() };
});

describeRealRouter('real peer: fox-wamp in its own process keeps the session', ['json'], async () => {
  const router: RouterProcess = await startRouterProcess({ kind: 'fox' });
  return { url: router.url, realm: router.realm, stop: () => router.stop() };
});
