/**
 * What both floors (bench/clients/floor.ts over `ws`, bench/rawsocket.ts over `net`) do once a
 * frame is decoded: CALL arrays built by hand, and a Map from request id to what to do with
 * frames for it. Only the type, request id and `progress` of a decoded array are looked at.
 * A subclass connects, sends encoded messages and hands each decoded message to `received`.
 */
import type { SerializerName } from '../../spec/helpers/codecs.js';
import { ECHO_PROCEDURE, REALM, STREAM_PROCEDURE, SWALLOW_PROCEDURE } from '../lib/common.js';
import type { BenchAdapter } from './driver.js';

type OnFrame = (message: unknown[]) => void;

export abstract class FloorCalls implements BenchAdapter {
  private nextId = 1;
  /** Request id → what to do with frames for it (0 is the WELCOME; echo and stream calls). */
  private readonly waiting = new Map<number, OnFrame>();

  abstract connect(url: string, serializer: SerializerName): Promise<void>;
  abstract close(): Promise<void>;
  /** Encodes `message` with the connection's codec and writes it as one frame. */
  protected abstract send(message: unknown[]): void;

  /** Sends HELLO and resolves at WELCOME; call once `received` is wired to incoming frames. */
  protected join(): Promise<void> {
    const welcome = new Promise<void>((resolve) => {
      this.waiting.set(0, () => resolve());
    });
    this.send([1, REALM, { roles: { caller: { features: { progressive_call_results: true } } } }]);
    return welcome;
  }

  protected received(message: unknown[]): void {
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
      this.send([48, id, { receive_progress: true }, STREAM_PROCEDURE, [n]]);
    });
  }

  echo(value: number): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve) => {
      this.waiting.set(id, () => {
        this.waiting.delete(id);
        resolve();
      });
      this.send([48, id, {}, ECHO_PROCEDURE, [value]]);
    });
  }

  /** The least a caller can keep for a pending call: a Map entry with a callback. */
  hold(): void {
    const id = this.nextId++;
    this.waiting.set(id, () => this.waiting.delete(id));
    this.send([48, id, {}, SWALLOW_PROCEDURE]);
  }
}
