import { expect } from 'chai';
import { firstValueFrom, from, type Observable } from 'rxjs';
import { WampClient, WampError } from '../../src/index.js';
import { DEFAULT_ROUTER_ROLES, ScriptedPeer, settle, type Frame } from '../helpers/scripted-peer.js';
import { seededRandom } from '../helpers/seeded-random.js';

/**
 * Throws random procedures, args, kwargs and options at every operation, on a connected and on
 * a not-yet-connected client. Each operation must either throw a TypeError at once or settle
 * its own Observable/Promise (a refusal sends nothing); afterwards a normal call still works,
 * and the process saw no uncaught exception or unhandled rejection.
 */

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261126);
const CASES = 1_000;
const MAX_MESSAGE_SIZE = 64 * 1024;
const BARRIER = 'com.fuzz.barrier';

const rand = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

const huge = 'x'.repeat(20 * 1024 * 1024);
const big = 'y'.repeat(MAX_MESSAGE_SIZE * 2);

function throwingGetters(keys: string[]): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  for (const key of keys)
    Object.defineProperty(target, key, {
      enumerable: true,
      get() {
        throw new Error(`getter ${key} throws`);
      },
    });
  return target;
}

function hostileProxy(target: object = {}): object {
  const trap = () => {
    throw new Error('proxy trap throws');
  };
  return new Proxy(target, { get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap });
}

function cycle(): Record<string, unknown> {
  const value: Record<string, unknown> = { a: 1 };
  value['self'] = value;
  return value;
}

/** Values of every kind an application could pass by mistake (or an attacker on purpose). */
function anyValue(depth = 0): unknown {
  const makers: Array<() => unknown> = [
    () => undefined,
    () => null,
    () => 0,
    () => -1.5,
    () => NaN,
    () => Infinity,
    () => 2 ** 53 + 2,
    () => 'text',
    () => '',
    () => big,
    () => true,
    () => 10n ** 30n,
    () => Symbol('s'),
    () => () => 1,
    () => new Map([[1, 2]]),
    () => new Date(0),
    () => new Uint8Array([1, 2, 3]),
    () => cycle(),
    () => hostileProxy(),
    () => hostileProxy([]),
    () => throwingGetters(['a']),
    () => Object.create(null) as object,
    () =>
      new (class Custom {
        x = 1;
      })(),
    () => (depth < 2 ? [anyValue(depth + 1), anyValue(depth + 1)] : []),
    () => (depth < 2 ? { k: anyValue(depth + 1) } : {}),
  ];
  return pick(makers)();
}

function anyUri(): unknown {
  if (rand() < 0.6) return pick(['com.myapp.ok', 'com.myapp.y', 'com.a.b.c']);
  return pick<() => unknown>([
    () => 'com.myapp.ok',
    () => 'com.myapp.x',
    () => 'com..x',
    () => 'com.my app',
    () => 'com.#',
    () => '',
    () => huge,
    () => `com.${'a'.repeat(5000)}`,
    () => anyValue(),
  ])();
}

function anyArgs(): unknown {
  if (rand() < 0.5) return pick([undefined, [], [1, 'two', { three: 3 }], [new Uint8Array([4])]]);
  return pick<() => unknown>([() => undefined, () => null, () => [], () => [1, 'a'], () => [anyValue(), anyValue()], () => [big], () => anyValue()])();
}

function anyKwargs(): unknown {
  if (rand() < 0.5) return pick([undefined, {}, { a: [1] }]);
  return pick<() => unknown>([() => undefined, () => null, () => ({}), () => ({ k: anyValue() }), () => anyValue()])();
}

function anyOptions(keys: string[]): unknown {
  if (rand() < 0.4) return pick([undefined, null, {}]);
  return pick<() => unknown>([
    () => undefined,
    () => null,
    () => ({}),
    () => anyValue(),
    () => throwingGetters(keys),
    () => hostileProxy(),
    () => Object.fromEntries(keys.map((key) => [key, pick([undefined, anyValue(), true, 'kill', 'prefix', 'wildcard', 100, [1, 2], ['a'], () => undefined])])),
  ])();
}

/** Answers like a router: RESULT, REGISTERED, SUBSCRIBED, PUBLISHED, UNREGISTERED, UNSUBSCRIBED. */
function routerAnswers(frame: Frame): Frame[] | undefined {
  const [type, id] = frame as [number, number];
  switch (type) {
    case 48:
      return [[50, id, {}, ['ok']]];
    case 64:
      return [[65, id, 1000 + id]];
    case 66:
      return [[67, id]];
    case 32:
      return [[33, id, 2000 + id]];
    case 34:
      return [[35, id]];
    case 16:
      return (frame[2] as Record<string, unknown>)['acknowledge'] ? [[17, id, 3000 + id]] : undefined;
    default:
      return undefined;
  }
}

type Outcome = { kind: 'threw' | 'refused' | 'failed' | 'ok'; error?: unknown };

/** Waits for an Observable to error, or to emit/complete, or (for ones that only listen) to stay quiet. */
async function settleObservable(source: Observable<unknown>): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let done = false;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      resolve(outcome);
      queueMicrotask(() => subscription.unsubscribe());
    };
    const subscription = source.subscribe({
      next: () => finish({ kind: 'ok' }),
      error: (error: unknown) => finish(classify(error)),
      complete: () => finish({ kind: 'ok' }),
    });
    // A topic$ emits nothing until an event: quiet after the router answered means it is in place.
    void settle(15).then(() => finish({ kind: 'ok' }));
  });
}

function classify(error: unknown): Outcome {
  // A refusal is input rxwamp would not send: a TypeError (incl. SerializationError) or an oversize payload.
  if (error instanceof TypeError) return { kind: 'refused', error };
  if (error instanceof WampError && error.uri === 'wamp.error.payload_size_exceeded') return { kind: 'refused', error };
  return { kind: 'failed', error };
}

describe('faults: API fuzz (random input to every operation)', function () {
  this.timeout(180_000);
  let peer: ScriptedPeer;
  const problems: string[] = [];
  const onUncaught = (error: unknown) => problems.push(`uncaughtException: ${String(error)}`);
  const onUnhandled = (error: unknown) => problems.push(`unhandledRejection: ${String(error)}`);

  before(async () => {
    peer = await ScriptedPeer.start({
      serializer: 'json',
      respond: routerAnswers,
      roles: { ...DEFAULT_ROUTER_ROLES, dealer: { features: { progressive_call_results: true, progressive_call_invocations: true, call_canceling: true } } },
    });
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUnhandled);
  });
  after(async () => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
    await peer.stop();
  });

  it(`${CASES} random operations: TypeError at once or their own error, nothing refused is sent (seed ${SEED})`, async () => {
    const clientOptions = { url: peer.url, realm: 'realm1', serializers: ['json' as const], maxMessageSize: MAX_MESSAGE_SIZE, reconnect: false as const };
    const connected = new WampClient(clientOptions);
    await connected.connect();
    const counts: Record<string, number> = { threw: 0, refused: 0, failed: 0, ok: 0 };
    const operations = ['call$', 'callStream$', 'register', 'registerStream', 'registerDuplex', 'topic$', 'publish'] as const;

    for (let i = 0; i < CASES; i++) {
      const fresh = rand() < 0.5;
      const client = fresh ? new WampClient(clientOptions) : connected;
      const operation = pick(operations);
      const uri = anyUri();
      const args = anyArgs();
      const kwargs = anyKwargs();
      const label = `case ${i} (${operation}, ${fresh ? 'not yet connected' : 'connected'})`;
      // Frames the client sends for this operation: requests, not a fresh client's HELLO/GOODBYE
      // nor an earlier case's UNSUBSCRIBE/UNREGISTER still on its way.
      const before = peer.received.length;
      const sentByOperation = () => peer.received.slice(before).filter((frame) => ![1, 6, 34, 66].includes(frame[0] as number) && frame[3] !== BARRIER);

      let outcome: Outcome;
      try {
        const c = client as unknown as Record<string, (...a: unknown[]) => unknown>;
        switch (operation) {
          case 'call$':
            outcome = await settleObservable(
              c['call$']!.call(client, uri, args, kwargs, anyOptions(['receiveProgress', 'timeout', 'discloseMe', 'cancelMode'])) as Observable<unknown>,
            );
            break;
          case 'callStream$': {
            // Strings and arrays go in as one chunk, so a chunk that is refused is the first (nothing sent).
            const raw = pick<() => unknown>([() => from([args]), () => anyValue(), () => undefined])();
            const input = typeof raw === 'string' || Array.isArray(raw) ? from([raw]) : raw;
            outcome = await settleObservable(
              c['callStream$']!.call(client, uri, input, anyOptions(['receiveProgress', 'timeout', 'discloseMe', 'cancelMode'])) as Observable<unknown>,
            );
            break;
          }
          case 'register':
          case 'registerStream':
          case 'registerDuplex':
            outcome = await settleObservable(
              c[operation]!.call(
                client,
                uri,
                pick([() => 1, undefined, 'handler', anyValue()]),
                anyOptions(['match', 'invoke', 'discloseCaller']),
              ) as Observable<unknown>,
            );
            break;
          case 'topic$':
            outcome = await settleObservable(c['topic$']!.call(client, uri, anyOptions(['match', 'onSubscribed'])) as Observable<unknown>);
            break;
          case 'publish':
            outcome = await (
              c['publish']!.call(client, uri, args, kwargs, anyOptions(['acknowledge', 'exclude', 'eligibleAuthid', 'excludeMe'])) as Promise<unknown>
            ).then(() => ({ kind: 'ok' as const }), classify);
            break;
        }
      } catch (error) {
        expect(error, `${label} threw synchronously`).to.be.instanceOf(TypeError);
        outcome = { kind: 'threw', error };
      }
      counts[outcome.kind]!++;
      if (outcome.kind === 'failed') expect.fail(`${label} failed with something other than a refusal: ${String(outcome.error)}`);
      // A round trip on the same connection: everything the operation sent has arrived after it
      // (and the client still answers). A fresh client's GOODBYE handshake does the same.
      if (fresh) await client.close();
      else expect((await firstValueFrom(connected.call$(BARRIER))).args).to.deep.equal(['ok']);
      if (outcome.kind === 'refused' || outcome.kind === 'threw') {
        expect(
          sentByOperation(),
          `${label} was refused (${String((outcome.error as { message?: unknown } | undefined)?.message).slice(0, 80)}) but sent`,
        ).to.deep.equal([]);
      }
    }

    // The connected client still works.
    const result = await firstValueFrom(connected.call$('com.myapp.after'));
    expect(result.args).to.deep.equal(['ok']);
    await connected.close();
    await settle(20);
    expect(problems).to.deep.equal([]);
    console.log(
      `      ${CASES} cases: ${counts['ok']} accepted, ${counts['refused']} refused on their own Observable/Promise, ${counts['threw']} threw TypeError, 0 crashed`,
    );
  });
});
