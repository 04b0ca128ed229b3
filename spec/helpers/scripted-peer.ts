import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { codecByName, type Codec, type SerializerName } from './codecs.js';
import { WampClient } from '../../src/index.js';
import { serializer as serializerEntry } from './serializers.js';

export type Frame = unknown[];

export interface ScriptedPeerOptions {
  readonly serializer: SerializerName;
  /** Answer HELLO with WELCOME by itself (default true). */
  readonly autoWelcome?: boolean;
  /** Answer the client's GOODBYE by itself (default true). */
  readonly autoGoodbye?: boolean;
  /** WELCOME.Details.roles; default a dealer with progressive results and call canceling. */
  readonly roles?: Record<string, unknown>;
  /** Frames to answer each client frame with at once (after autoWelcome/autoGoodbye); the frame is still recorded. */
  readonly respond?: (frame: Frame) => Frame[] | undefined;
  /** Override the subprotocol choice: `false` picks none. */
  readonly chooseProtocol?: (offered: Set<string>) => string | false;
}

export const DEFAULT_ROUTER_ROLES = {
  dealer: { features: { progressive_call_results: true, call_canceling: true } },
  broker: { features: {} },
};

/**
 * A scripted WAMP router on a real loopback WebSocket: it records every frame the client
 * sends and sends exactly the frames a test scripts, for checking wire format and faults.
 */
export class ScriptedPeer {
  readonly received: Frame[] = [];
  private socket: WebSocket | undefined;
  private waiters: Array<{ match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];
  private closeWaiters: Array<(code: number) => void> = [];
  private closeCode: number | undefined;
  readonly codec: Codec;

  private constructor(
    private readonly server: WebSocketServer,
    private readonly options: ScriptedPeerOptions,
  ) {
    this.codec = codecByName(options.serializer);
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(options: ScriptedPeerOptions): Promise<ScriptedPeer> {
    const codec = codecByName(options.serializer);
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (offered) => (options.chooseProtocol ? options.chooseProtocol(offered) : offered.has(codec.subprotocol) ? codec.subprotocol : false),
    });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return new ScriptedPeer(server, options);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws`;
  }

  /** Frames of one type the client sent so far. */
  sent(type: number): Frame[] {
    return this.received.filter((frame) => frame[0] === type);
  }

  /** Resolves with the first frame (already received or arriving) that matches. */
  next(match: number | ((frame: Frame) => boolean)): Promise<Frame> {
    const predicate = typeof match === 'number' ? (frame: Frame) => frame[0] === match : match;
    const seen = this.received.find(predicate);
    if (seen) {
      this.received.splice(this.received.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => this.waiters.push({ match: predicate, resolve }));
  }

  send(frame: Frame): void {
    this.sendRaw(this.codec.encode(frame));
  }

  sendRaw(data: string | Uint8Array): void {
    this.socket!.send(data, { binary: typeof data !== 'string' });
  }

  /** Resolves with the close code once the client's connection closed. */
  closed(): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Stops reading the client's frames (TCP backpressure reaches the client), until resumeReading(). */
  pauseReading(): void {
    this.socket?.pause();
  }

  resumeReading(): void {
    this.socket?.resume();
  }

  /** Starts the WebSocket closing handshake (a close frame) without dropping TCP. */
  closeConnection(code = 1000): void {
    this.socket?.close(code);
  }

  dropConnection(): void {
    this.socket?.terminate();
  }

  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    this.socket = socket;
    this.closeCode = undefined;
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const frame = this.codec.decode(isBinary ? new Uint8Array(data) : data.toString('utf8')) as Frame;
      // Automatic answers go to the connection the frame came on (several clients may be connected).
      const answer = (reply: Frame) => socket.send(this.codec.encode(reply), { binary: this.codec.binary });
      if (frame[0] === 1 && this.options.autoWelcome !== false) {
        answer([2, 4242, { roles: this.options.roles ?? DEFAULT_ROUTER_ROLES }]);
      }
      if (frame[0] === 6 && this.options.autoGoodbye !== false) answer([6, {}, 'wamp.close.goodbye_and_out']);
      for (const reply of this.options.respond?.(frame) ?? []) answer(reply);
      const waiter = this.waiters.find((candidate) => candidate.match(frame));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      } else {
        this.received.push(frame);
      }
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      for (const waiter of this.closeWaiters.splice(0)) waiter(code);
    });
  }
}

/** Waits until `condition()` holds, checking every few ms; fails after `timeoutMs` saying what it waited for. */
export async function until(condition: () => boolean, timeoutMs = 5_000, what = condition.toString()): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until the event loop has delivered what is in flight on loopback. */
export function settle(ms = 30): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const SERIALIZERS: readonly SerializerName[] = ['json', 'cbor', 'msgpack'];

/** What a wire test works with: a fresh scripted peer and a client speaking one serializer to it. */
export interface WireContext {
  readonly serializer: SerializerName;
  peer: ScriptedPeer;
  client: WampClient;
  /** Replaces the peer (and the client) with one started with these options. */
  restart(options?: Partial<ScriptedPeerOptions>): Promise<void>;
}

/** A describe block per serializer; each test gets its own peer and client, stopped after it. */
export function describeWire(title: string, body: (t: WireContext) => void): void {
  for (const serializer of SERIALIZERS) {
    describe(`${title} over ${serializer}`, () => {
      const t = { serializer } as WireContext;
      const stop = async () => {
        await t.client?.close().catch(() => undefined);
        await t.peer?.stop();
      };
      t.restart = async (options = {}) => {
        await stop();
        t.peer = await ScriptedPeer.start({ serializer, ...options });
        t.client = new WampClient({ url: t.peer.url, realm: 'realm1', serializers: [serializerEntry(serializer)] });
      };
      beforeEach(() => t.restart());
      afterEach(stop);
      body(t);
    });
  }
}
