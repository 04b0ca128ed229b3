/**
 * The scripted dealer both bench peers play (bench/servers/peer.ts over WebSocket,
 * bench/rawsocket.ts over RawSocket), whatever carries its frames: HELLO → WELCOME; CALL
 * bench.stream [n] → n progressive RESULTs (pre-encoded, written in batches as fast as the
 * socket takes them) then an empty final RESULT; CALL bench.echo → RESULT with the same args;
 * CALL bench.swallow → nothing; CANCEL → stop, ERROR canceled; GOODBYE → GOODBYE.
 */
import type { Socket } from 'node:net';
import type { Codec } from '../../spec/helpers/codecs.js';
import { MessageType } from '../../src/protocol/messages.js';
import { ECHO_PROCEDURE, PROGRESS_ARGS, STREAM_PROCEDURE, SWALLOW_PROCEDURE } from '../lib/common.js';
import { blast } from '../lib/ws-frames.js';

/** What the dealer needs of a transport. */
export interface DealerLink {
  readonly codec: Codec;
  /** The TCP socket under the transport: `blast` writes pre-framed RESULTs to it directly. */
  readonly socket: Socket;
  /** One encoded WAMP message (the codec's output) as a whole frame of this transport. */
  frame(payload: string | Uint8Array): Buffer;
  /** Sends one encoded WAMP message. */
  send(payload: string | Uint8Array): void;
  isOpen(): boolean;
  /** Closes after GOODBYE. */
  close(): void;
}

export class Dealer {
  private readonly streaming = new Set<number>();
  private readonly cancelled = new Set<number>();
  private readonly welcomeDetails: Record<string, unknown>;

  constructor(
    private readonly link: DealerLink,
    agent: string,
  ) {
    this.welcomeDetails = { agent, roles: { dealer: { features: { progressive_call_results: true, call_canceling: true } } } };
  }

  private send(message: unknown[]): void {
    this.link.send(this.link.codec.encode(message));
  }

  receive(message: unknown[]): void {
    switch (message[0]) {
      case MessageType.HELLO:
        this.send([MessageType.WELCOME, Math.floor(Math.random() * 2 ** 50) + 1, this.welcomeDetails]);
        return;
      case MessageType.GOODBYE:
        this.send([MessageType.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
        this.link.close();
        return;
      case MessageType.CALL:
        this.call(message[1] as number, message[2] as Record<string, unknown>, message[3] as string, (message[4] ?? []) as unknown[]);
        return;
      case MessageType.CANCEL: {
        const id = message[1] as number;
        if (this.streaming.has(id)) this.cancelled.add(id);
        else this.send([MessageType.ERROR, MessageType.CALL, id, {}, 'wamp.error.canceled']);
        return;
      }
      default:
        return;
    }
  }

  private call(id: number, options: Record<string, unknown>, procedure: string, args: unknown[]): void {
    switch (procedure) {
      case ECHO_PROCEDURE:
        this.send(args.length ? [MessageType.RESULT, id, {}, args] : [MessageType.RESULT, id, {}]);
        return;
      case SWALLOW_PROCEDURE:
        return;
      case STREAM_PROCEDURE:
        void this.stream(id, Number(args[0] ?? 0), options['receive_progress'] === true);
        return;
      default:
        this.send([MessageType.ERROR, MessageType.CALL, id, {}, 'wamp.error.no_such_procedure']);
    }
  }

  private async stream(id: number, count: number, progress: boolean): Promise<void> {
    if (progress && count > 0) {
      this.streaming.add(id);
      const frame = this.link.frame(this.link.codec.encode([MessageType.RESULT, id, { progress: true }, PROGRESS_ARGS]));
      await blast(this.link.socket, frame, count, () => this.cancelled.has(id));
      this.streaming.delete(id);
      if (this.cancelled.delete(id)) {
        this.send([MessageType.ERROR, MessageType.CALL, id, {}, 'wamp.error.canceled']);
        return;
      }
    }
    if (this.link.isOpen()) this.send([MessageType.RESULT, id, {}]);
  }
}
