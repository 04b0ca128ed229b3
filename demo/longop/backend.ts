import { interval, type Subscription } from 'rxjs';
import { WampClient } from '../../src/index.js';
import { serveLongop } from './callee.js';

/** Where the callee says what happened to its streams; the demo pages show it. */
export const CALLEE_LOG_TOPIC = 'com.myapp.longop.log';
/** Published once a second by the backend, for the pages' live counter. */
export const COUNTER_TOPIC = 'com.myapp.counter';

export interface DemoBackendOptions {
  readonly url: string;
  readonly realm: string;
  /** Time between two progress results of longop. */
  readonly intervalMs: number;
  /** Told every line the callee publishes. */
  readonly log?: (line: string) => void;
}

/** The Node side of the browser demos: the longop callee and the counter publisher. */
export interface DemoBackend {
  /**
   * The request ids of the INTERRUPTs the router sent the callee, seen through the client's
   * `debug` hook: the router interrupts a running call when its caller sent CANCEL.
   */
  readonly interrupts: readonly number[];
  /** What the callee published on CALLEE_LOG_TOPIC (its teardowns after a CANCEL), in order. */
  readonly calleeLog: readonly string[];
  stop(): Promise<void>;
}

const INTERRUPT = 69;

/** Registers com.myapp.longop (the terminal demo's callee, publishing its teardown) and starts the counter. */
export async function startDemoBackend(options: DemoBackendOptions): Promise<DemoBackend> {
  const interrupts: number[] = [];
  const calleeLog: string[] = [];
  const client = new WampClient({
    url: options.url,
    realm: options.realm,
    debug: (direction, message) => {
      if (direction === 'in' && message[0] === INTERRUPT) interrupts.push(Number(message[1]));
    },
  });
  const publishLine = (line: string) => {
    calleeLog.push(line);
    options.log?.(line);
    client.publish(CALLEE_LOG_TOPIC, [line]).catch(() => undefined); // a page may miss a line while reconnecting
  };
  const subscriptions: Subscription[] = [];
  await new Promise<void>((resolve, reject) => {
    subscriptions.push(serveLongop(client, options.intervalMs, publishLine).subscribe({ next: () => resolve(), error: reject }));
  });
  subscriptions.push(
    interval(1000).subscribe((tick) => {
      client.publish(COUNTER_TOPIC, [tick + 1]).catch(() => undefined);
    }),
  );
  return {
    interrupts,
    calleeLog,
    async stop() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      await client.close();
    },
  };
}
