/**
 * autobahn-js 26 with its default when.js deferreds: progress through the third `then`
 * callback. Autobahn has no typings; the little it is used for is typed in ../anchors-types.ts.
 */
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import type { SerializerName } from '../../src/codec/index.js';
import type { AutobahnModule, AutobahnSession, WhenPromise } from '../anchors-types.js';
import { ECHO_PROCEDURE, ignoreError, REALM, STREAM_PROCEDURE, SWALLOW_PROCEDURE } from '../lib/common.js';
import { runClient, type BenchAdapter } from './driver.js';

// Autobahn uses the global WebSocket, which Node 20 does not have.
(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
const autobahn = createRequire(import.meta.url)('autobahn') as AutobahnModule;

class AutobahnAdapter implements BenchAdapter {
  private session!: AutobahnSession;
  private close$: (() => void) | undefined;
  private readonly held: WhenPromise[] = [];

  async connect(url: string, serializer: SerializerName): Promise<void> {
    const s = autobahn.serializer;
    const chosen = serializer === 'json' ? new s.JSONSerializer() : serializer === 'cbor' ? new s.CBORSerializer!() : new s.MsgpackSerializer!();
    const connection = new autobahn.Connection({ url, realm: REALM, serializers: [chosen], max_retries: 0, retry_if_unreachable: false });
    this.session = await new Promise<AutobahnSession>((resolve, reject) => {
      connection.onopen = resolve;
      connection.onclose = (reason: string) => {
        reject(new Error(`autobahn connection closed: ${reason}`));
        return true; // no reconnect
      };
      connection.open();
    });
    this.close$ = () => connection.close();
  }

  stream(n: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let count = 0;
      this.session.call(STREAM_PROCEDURE, [n], undefined, { receive_progress: true }).then(
        () => resolve(count),
        reject,
        () => {
          count++;
        },
      );
    });
  }

  echo(value: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.session.call(ECHO_PROCEDURE, [value]).then(() => resolve(), reject);
    });
  }

  hold(): void {
    const call = this.session.call(SWALLOW_PROCEDURE);
    call.then(undefined, ignoreError);
    this.held.push(call);
  }

  async close(): Promise<void> {
    this.close$?.();
  }
}

await runClient(new AutobahnAdapter());
