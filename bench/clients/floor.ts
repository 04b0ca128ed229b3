/**
 * The floor: a bare `ws` client with no WAMP logic. It sends HELLO and CALL frames built by
 * hand and only decodes each incoming frame with the same codec rxwamp uses; to know when a
 * call ended it looks at the type, request id and `progress` of the decoded array, nothing else
 * (bench/clients/floor-calls.ts).
 */
import WebSocket, { type RawData } from 'ws';
import { codecByName, type Codec, type SerializerName } from '../../spec/helpers/codecs.js';
import { runClient } from './driver.js';
import { FloorCalls } from './floor-calls.js';

class FloorAdapter extends FloorCalls {
  private ws!: WebSocket;
  private codec!: Codec;

  async connect(url: string, serializer: SerializerName): Promise<void> {
    this.codec = codecByName(serializer);
    this.ws = new WebSocket(url, [this.codec.subprotocol]);
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    await this.join();
  }

  private receive(data: RawData, isBinary: boolean): void {
    const buffer = data as Buffer;
    this.received(this.codec.decode(isBinary ? buffer : buffer.toString()) as unknown[]);
  }

  protected send(message: unknown[]): void {
    this.ws.send(this.codec.encode(message));
  }

  async close(): Promise<void> {
    this.ws.close(1000);
  }
}

await runClient(new FloorAdapter());
