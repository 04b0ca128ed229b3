/** rxwamp's bench adapter: `call$` subscribed the plain Rx way, one subscription per call, over the transports given. */
import type { Subscription } from 'rxjs';
import type { SerializerName } from '../../src/codec/index.js';
import { WampClient, type WampClientOptions } from '../../src/index.js';
import { serializer as serializerEntry } from '../../spec/helpers/serializers.js';
import { ECHO_PROCEDURE, ignoreError, REALM, STREAM_PROCEDURE, SWALLOW_PROCEDURE } from '../lib/common.js';
import type { BenchAdapter } from './driver.js';

export class RxwampAdapter implements BenchAdapter {
  private client!: WampClient;
  /** Subscriptions of pending calls, as an application would keep them to cancel later. */
  private readonly held: Subscription[] = [];

  /** `transports` as WampClientOptions takes them: left out, the client's default (WebSocket). */
  constructor(private readonly transports?: WampClientOptions['transports']) {}

  async connect(url: string, serializer: SerializerName): Promise<void> {
    this.client = new WampClient({
      url,
      realm: REALM,
      serializers: [serializerEntry(serializer)],
      ...(this.transports ? { transports: this.transports } : {}),
    });
    await this.client.connect();
  }

  stream(n: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let count = 0;
      this.client.call$(STREAM_PROCEDURE, [n], undefined, { receiveProgress: true }).subscribe({
        next: (result) => {
          if (result.progress) count++;
        },
        error: reject,
        complete: () => resolve(count),
      });
    });
  }

  echo(value: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.client.call$(ECHO_PROCEDURE, [value], undefined, { receiveProgress: false }).subscribe({ error: reject, complete: resolve });
    });
  }

  hold(): void {
    this.held.push(this.client.call$(SWALLOW_PROCEDURE, undefined, undefined, { receiveProgress: false }).subscribe({ error: ignoreError }));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
