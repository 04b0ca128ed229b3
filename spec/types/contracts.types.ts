/**
 * Type tests for typed procedure and topic contracts: compiled (never run) by `npm run typecheck`,
 * which `npm test` runs first. Each `@ts-expect-error` line must be an error, or tsc fails
 * ("Unused '@ts-expect-error' directive"), so wrong argument, progress, result, input and event
 * types are proven to be rejected; the lines without it prove the right ones are accepted.
 * A `@ts-expect-error` applies to the one line below it: the statements Prettier would spread over
 * several lines carry `// prettier-ignore`.
 */
import { concat, from, interval, map, of, take, toArray, type Observable } from 'rxjs';
import {
  final,
  procedure,
  topic,
  WampClient,
  type CallResult,
  type Registration,
  type TypedCallResult,
  type TypedEvent,
  type WampEvent,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

const longop = procedure<{ args: [n: number]; progress: number; result: number }>('com.myapp.longop');
const upload = procedure<{ input: Uint8Array; progress: { bytes: number }; result: string }>('com.myapp.upload');
const greet = procedure<{ args: [name: string]; kwargs: { polite: boolean }; result: string }>('com.myapp.greet');
const ping = procedure<{ result: 'pong' }>('com.myapp.ping');
const news = topic<{ args: [headline: string]; kwargs: { priority: number } }>('com.myapp.news');

export function callerSide(client: WampClient): void {
  const calls: Observable<TypedCallResult<{ args: [n: number]; progress: number; result: number }>> = client.call$(longop, [3]);
  calls.subscribe((r) => {
    if (r.progress) {
      const value: number = r.args[0];
      // @ts-expect-error a progress value is a number, not a string
      const wrong: string = r.args[0];
      void value;
      void wrong;
    } else {
      const result: number = r.args[0];
      // @ts-expect-error the result is a number, not a string
      const wrong: string = r.args[0];
      void result;
      void wrong;
    }
  });
  // @ts-expect-error wrong argument type
  client.call$(longop, ['3']);
  // @ts-expect-error the argument is required
  client.call$(longop);
  // @ts-expect-error one argument too many
  client.call$(longop, [3, 4]);
  client.call$(longop, [3], {}, { cancelMode: 'skip' });
  client.call$(greet, ['ada'], { polite: true });
  // @ts-expect-error kwargs of the wrong shape
  client.call$(greet, ['ada'], { polite: 'yes' });
  client.call$(ping); // no args declared: none needed
  client.call$(ping).subscribe((r) => {
    if (!r.progress) assertType<Equal<(typeof r.args)[0], 'pong'>>();
  });

  // Streamed input: chunks of the declared input type.
  client.callStream$(upload, of(new Uint8Array(4))).subscribe((r) => {
    if (r.progress) {
      const bytes: number = r.args[0].bytes;
      void bytes;
    }
  });
  client.callStream$(
    upload,
    (async function* () {
      yield new Uint8Array(1);
    })(),
  );
  // @ts-expect-error an input chunk of the wrong type
  client.callStream$(upload, of('text'));
  // @ts-expect-error an input chunk of the wrong type (async iterable)
  // prettier-ignore
  client.callStream$(upload, (async function* () { yield 42; })());
}

export function calleeSide(client: WampClient): Array<Observable<Registration>> {
  return [
    client.register(longop, ([n]) => n * 2),
    client.register(longop, async ([n]) => n + 1),
    client.register(longop, ([n]) => of(final(n))),
    // @ts-expect-error the result must be a number
    client.register(longop, ([n]) => `${n}`),
    // @ts-expect-error the argument is a number, not a string
    client.register(longop, ([n]: [string]) => n.length),
    client.register(greet, ([name], { polite }) => (polite ? `Good day, ${name}` : `hi ${name}`)),
    // @ts-expect-error kwargs has no such key
    client.register(greet, ([name], { rude }) => `${name}${String(rude)}`),

    client.registerStream(longop, ([n]) => concat(interval(1000).pipe(take(n)), of(final(n)))),
    client.registerStream(longop, async function* ([n]) {
      for (let i = 0; i < n; i++) yield i;
      yield final(n);
    }),
    // @ts-expect-error progress values must be numbers
    client.registerStream(longop, () => of('zero')),
    // @ts-expect-error the final result must be a number
    client.registerStream(longop, () => of(1, final('done'))),

    client.registerDuplex(upload, (input$) => {
      let bytes = 0;
      return concat(input$.pipe(map((chunk) => ({ bytes: (bytes += chunk.byteLength) }))), of(final('stored')));
    }),
    // @ts-expect-error input chunks are Uint8Array, which has no toUpperCase
    client.registerDuplex(upload, (input$) => input$.pipe(map((chunk) => ({ bytes: chunk.toUpperCase() })))),
    // @ts-expect-error progress must be { bytes: number }
    client.registerDuplex(upload, (input$) => input$.pipe(map((chunk) => chunk.byteLength))),
    // @ts-expect-error the final result must be a string
    // prettier-ignore
    client.registerDuplex(upload, (input$) => input$.pipe(toArray(), map((all) => final(all.length)))),
  ];
}

export function topics(client: WampClient): void {
  client.topic$(news).subscribe((event) => {
    const headline: string = event.args[0];
    const priority: number = event.kwargs.priority;
    assertType<Equal<typeof event, TypedEvent<{ args: [headline: string]; kwargs: { priority: number } }>>>();
    // @ts-expect-error the headline is a string
    const wrong: number = event.args[0];
    void headline;
    void priority;
    void wrong;
  });
  void client.publish(news, ['rxwamp 1.0'], { priority: 1 }, { acknowledge: true });
  // @ts-expect-error the headline must be a string
  void client.publish(news, [42]);
  // @ts-expect-error the headline is required
  void client.publish(news);
}

export function untypedStaysAsItWas(client: WampClient): void {
  const results: Observable<CallResult> = client.call$('com.myapp.anything', [1, 'two', { three: 3 }], { k: true }, { timeout: 10 });
  const events: Observable<WampEvent> = client.topic$('com.myapp.anything');
  client.register('com.myapp.anything', (args, kwargs) => args.length + Object.keys(kwargs).length);
  client.registerStream('com.myapp.anything', ([n]) => from([n, final(n)]));
  client.registerDuplex('com.myapp.anything', (input$) => input$);
  client.callStream$('com.myapp.anything', of(1, 'two'));
  void client.publish('com.myapp.anything', [1], { a: 2 });
  // The untyped results carry no declared types (unknown[]), and nothing is `any`.
  results.subscribe((r) => assertType<Equal<typeof r.args, unknown[]>>());
  events.subscribe((e) => assertType<Equal<typeof e.args, unknown[]>>());
}

/** A validation hook takes any function that throws to refuse, e.g. zod's `schema.parse`. */
export const checked = procedure<{ args: [n: number]; result: number }>('com.myapp.checked', {
  validate: {
    args: (args) => {
      if (typeof args[0] !== 'number') throw new TypeError('n must be a number');
    },
    result: (value: unknown): number => {
      if (typeof value !== 'number') throw new TypeError('not a number');
      return value;
    },
  },
});
