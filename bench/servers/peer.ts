/**
 * The scripted dealer peer, in its own process: a WebSocket server that plays a WAMP router
 * with the bench procedures built in, so a client's cost is measured with no router in the
 * way. HELLO → WELCOME; CALL bench.stream [n] → n progressive RESULTs (pre-encoded, written
 * in batches as fast as the socket takes them) then an empty final RESULT; CALL bench.echo →
 * RESULT with the same args; CALL bench.swallow → nothing; CANCEL → stop, ERROR canceled;
 * GOODBYE → GOODBYE. JSON, CBOR and MessagePack (whichever the client offers first).
 *
 * Prints `{"url": ...}` on its first stdout line; exits when stdin closes (or after 10 min).
 */
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { codecBySubprotocol, type Codec } from '../../spec/helpers/codecs.js';
import { MessageType } from '../../src/protocol/messages.js';
import { ECHO_PROCEDURE, PROGRESS_ARGS, STREAM_PROCEDURE, SWALLOW_PROCEDURE } from '../lib/common.js';
import { blast, wsFrame } from '../lib/ws-frames.js';

const WELCOME_DETAILS = {
  agent: 'rxwamp-bench-peer',
  roles: { dealer: { features: { progressive_call_results: true, call_canceling: true } } },
};

class PeerConnection {
  private readonly streaming = new Set<number>();
  private readonly cancelled = new Set<number>();

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    private readonly codec: Codec,
  ) {
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('error', () => undefined);
  }

  private send(message: unknown[]): void {
    this.ws.send(this.codec.encode(message));
  }

  private receive(data: RawData, isBinary: boolean): void {
    const buffer = data as Buffer;
    const message = this.codec.decode(isBinary ? buffer : buffer.toString('utf8')) as unknown[];
    switch (message[0]) {
      case MessageType.HELLO:
        this.send([MessageType.WELCOME, Math.floor(Math.random() * 2 ** 50) + 1, WELCOME_DETAILS]);
        return;
      case MessageType.GOODBYE:
        this.send([MessageType.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
        this.ws.close(1000);
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
      const frame = wsFrame(this.codec.encode([MessageType.RESULT, id, { progress: true }, PROGRESS_ARGS]), false);
      await blast(this.socket, frame, count, () => this.cancelled.has(id));
      this.streaming.delete(id);
      if (this.cancelled.delete(id)) {
        this.send([MessageType.ERROR, MessageType.CALL, id, {}, 'wamp.error.canceled']);
        return;
      }
    }
    if (this.ws.readyState === this.ws.OPEN) this.send([MessageType.RESULT, id, {}]);
  }
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  handleProtocols: (offered) => [...offered].find((p) => codecBySubprotocol(p) !== undefined) ?? false,
});
server.on('connection', (ws, request) => {
  const codec = codecBySubprotocol(ws.protocol);
  if (!codec) return ws.close(1002);
  new PeerConnection(ws, request.socket, codec);
});
server.once('listening', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `ws://127.0.0.1:${port}/ws` })}\n`);
});

function shutdown(): void {
  for (const client of server.clients) client.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
setTimeout(shutdown, 10 * 60_000).unref();
