/** wampy 8: `call` resolves at the final result; progressive results through `progress_callback`. */
import { Wampy } from 'wampy';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import WebSocket from 'ws';
import type { SerializerName } from '../../src/codec/index.js';
import { ECHO_PROCEDURE, ignoreError, REALM, STREAM_PROCEDURE, SWALLOW_PROCEDURE } from '../lib/common.js';
import { runClient, type BenchAdapter } from './driver.js';

class WampyAdapter implements BenchAdapter {
  private wampy!: Wampy;
  private readonly held: Promise<unknown>[] = [];

  async connect(url: string, serializer: SerializerName): Promise<void> {
    const chosen = serializer === 'json' ? new JsonSerializer() : serializer === 'cbor' ? new CborSerializer() : new MsgpackSerializer();
    this.wampy = new Wampy(url, {
      realm: REALM,
      ws: WebSocket as unknown as ConstructorParameters<typeof Wampy>[1] extends { ws?: infer W } ? W : never,
      serializer: chosen,
      autoReconnect: false,
    });
    await this.wampy.connect();
  }

  async stream(n: number): Promise<number> {
    let count = 0;
    await this.wampy.call(STREAM_PROCEDURE, [n], {
      progress_callback: () => {
        count++;
      },
    });
    return count;
  }

  async echo(value: number): Promise<void> {
    await this.wampy.call(ECHO_PROCEDURE, [value]);
  }

  hold(): void {
    const call = this.wampy.call(SWALLOW_PROCEDURE);
    call.catch(ignoreError);
    this.held.push(call);
  }

  async close(): Promise<void> {
    await this.wampy.disconnect();
  }
}

await runClient(new WampyAdapter());
