/**
 * The floor: a bare `ws` client with no WAMP logic. It sends HELLO and CALL frames built by
 * hand and only decodes each incoming frame with the same codec rxwamp uses; to know when a
 * call ended it looks at the type, request id and `progress` of the decoded array, nothing else.
 */
import WebSocket, { type RawData } from 'ws';
import { codecByName, type Codec, type SerializerName } from '../../spec/helpers/codecs.js';
import { ECHO_PROCEDURE, REALM, STREAM_PROCEDURE, SWALLOW_PROCEDURE } from '../lib/common.js';
import { runClient, type BenchAdapter } from './driver.js';

type OnFrame = (message: unknown[]) => void;

class FloorAdapter implements BenchAdapter {
  private ws!: WebSocket;
  private codec!: Codec;
  private nextId = 1;
  /** Request id → what to do with frames for it (echo and stream calls). */
  private readonly waiting = new Map<number, OnFrame>();

  async connect(url: string, serializer: SerializerName): Promise<void> {
    this.codec = codecByName(serializer);
    this.ws = new WebSocket(url, [this.codec.subprotocol]);
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    const welcome = new Promise<void>((resolve) => {
      this.waiting.set(0, () => resolve());
    });
    this.ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    this.ws.send(this.codec.encode([1, REALM, { roles: { caller: { features: { progressive_call_results: true } } } }]));
    await welcome;
  }

  private receive(data: RawData, isBinary: boolean): void {
    const buffer = data as Buffer;
    const message = this.codec.decode(isBinary ? buffer : buffer.toString()) as unknown[];
    const id = message[0] === 2 ? 0 : (message[1] as number);
    this.waiting.get(id)?.(message);
  }

  stream(n: number): Promise<number> {
    const id = this.nextId++;
    return new Promise<number>((resolve) => {
      let count = 0;
      this.waiting.set(id, (message) => {
        if ((message[2] as { progress?: boolean }).progress === true) count++;
        else {
          this.waiting.delete(id);
          resolve(count);
        }
      });
      this.ws.send(this.codec.encode([48, id, { receive_progress: true }, STREAM_PROCEDURE, [n]]));
    });
  }

  echo(value: number): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve) => {
      this.waiting.set(id, () => {
        this.waiting.delete(id);
        resolve();
      });
      this.ws.send(this.codec.encode([48, id, {}, ECHO_PROCEDURE, [value]]));
    });
  }

  /** The least a caller can keep for a pending call: a Map entry with a callback. */
  hold(): void {
    const id = this.nextId++;
    this.waiting.set(id, () => this.waiting.delete(id));
    this.ws.send(this.codec.encode([48, id, {}, SWALLOW_PROCEDURE]));
  }

  async close(): Promise<void> {
    this.ws.close(1000);
  }
}

await runClient(new FloorAdapter());
