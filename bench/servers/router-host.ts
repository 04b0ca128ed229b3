/**
 * A router and a scripted callee in one process (`--router embedded|fox --serializer s`): the
 * router is the embedded rxwamp router (src/router) or fox-wamp; the callee is a bare `ws`
 * client that registers the bench procedures and answers INVOCATIONs with pre-encoded YIELD
 * frames written in batches (masked with the zero key), so the router and the client under
 * test, not the callee, set the pace. Sharing one process keeps the machine's second core
 * free for the client being measured.
 *
 * Prints `{"url": ...}` (or `{"unavailable": reason}`) on its first stdout line; exits when
 * stdin closes (or after 10 min).
 */
import type { Socket } from 'node:net';
import WebSocket, { type RawData } from 'ws';
import { ALL_SERIALIZERS, codecByName, type Codec, type SerializerName } from '../../spec/helpers/codecs.js';
import { MessageType } from '../../src/protocol/messages.js';
import { Router } from '../../src/router/index.js';
import { startFoxRouter } from '../../spec/helpers/fox-router.js';
import { ECHO_PROCEDURE, PROGRESS_ARGS, REALM, STREAM_PROCEDURE, SWALLOW_PROCEDURE } from '../lib/common.js';
import { blast, wsFrame } from '../lib/ws-frames.js';

interface RunningRouter {
  readonly url: string;
  stop(): Promise<void>;
}

async function startEmbedded(): Promise<RunningRouter> {
  const router = new Router({ realms: [REALM], serializers: ALL_SERIALIZERS });
  const { url } = await router.listen({ host: '127.0.0.1', port: 0 });
  return { url, stop: () => router.close() };
}

/** The scripted callee: bench.stream / bench.echo / bench.swallow over one bare WebSocket. */
class ScriptedCallee {
  private ws!: WebSocket;
  private socket!: Socket;
  private readonly procedures = new Map<number, string>();
  private readonly interrupted = new Set<number>();
  private readonly streaming = new Set<number>();
  private nextRequest = 1;

  constructor(private readonly codec: Codec) {}

  async start(url: string): Promise<void> {
    this.ws = new WebSocket(url, [this.codec.subprotocol], { perMessageDeflate: false });
    this.ws.on('upgrade', (response) => {
      this.socket = response.socket;
    });
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('error', () => undefined);
    const registered = new Promise<void>((resolve, reject) => {
      let pending = 3;
      this.ws.on('message', (data, isBinary) => {
        const message = this.decode(data, isBinary);
        if (message[0] === MessageType.WELCOME) {
          for (const procedure of [STREAM_PROCEDURE, ECHO_PROCEDURE, SWALLOW_PROCEDURE]) {
            const id = this.nextRequest++;
            this.procedures.set(-id, procedure); // request id → procedure until REGISTERED
            this.send([MessageType.REGISTER, id, {}, procedure]);
          }
        } else if (message[0] === MessageType.REGISTERED) {
          const procedure = this.procedures.get(-(message[1] as number));
          if (procedure) this.procedures.set(message[2] as number, procedure);
          if (--pending === 0) resolve();
        } else if (message[0] === MessageType.ABORT || message[0] === MessageType.ERROR) {
          reject(new Error(`callee setup failed: ${JSON.stringify(message)}`));
        } else {
          this.receive(message);
        }
      });
    });
    this.send([
      MessageType.HELLO,
      REALM,
      {
        agent: 'rxwamp-bench-callee',
        roles: { callee: { features: { progressive_call_results: true, call_canceling: true } } },
      },
    ]);
    await registered;
  }

  private decode(data: RawData, isBinary: boolean): unknown[] {
    const buffer = data as Buffer;
    return this.codec.decode(isBinary ? buffer : buffer.toString('utf8')) as unknown[];
  }

  private send(message: unknown[]): void {
    this.ws.send(this.codec.encode(message));
  }

  private receive(message: unknown[]): void {
    if (message[0] === MessageType.INTERRUPT) {
      const id = message[1] as number;
      if (this.streaming.has(id)) this.interrupted.add(id);
      return;
    }
    if (message[0] !== MessageType.INVOCATION) return;
    const [, id, registration, details, args] = message as [number, number, number, Record<string, unknown>, unknown[]?];
    switch (this.procedures.get(registration)) {
      case ECHO_PROCEDURE:
        this.send(args?.length ? [MessageType.YIELD, id, {}, args] : [MessageType.YIELD, id, {}]);
        return;
      case STREAM_PROCEDURE:
        void this.stream(id, Number(args?.[0] ?? 0), details['receive_progress'] === true);
        return;
      default:
        return; // bench.swallow
    }
  }

  private async stream(id: number, count: number, progress: boolean): Promise<void> {
    if (progress && count > 0) {
      this.streaming.add(id);
      const frame = wsFrame(this.codec.encode([MessageType.YIELD, id, { progress: true }, PROGRESS_ARGS]), true);
      await blast(this.socket, frame, count, () => this.interrupted.has(id));
      this.streaming.delete(id);
      if (this.interrupted.delete(id)) {
        this.send([MessageType.ERROR, MessageType.INVOCATION, id, {}, 'wamp.error.canceled']);
        return;
      }
    }
    this.send([MessageType.YIELD, id, {}]);
  }

  stop(): void {
    this.ws.terminate();
  }
}

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const routerName = argument('router', 'embedded');
const serializer = argument('serializer', 'json') as SerializerName;
let router: RunningRouter;
let callee: ScriptedCallee | undefined;
try {
  router = routerName === 'fox' ? await startFoxRouter() : await startEmbedded();
} catch (error) {
  process.stdout.write(`${JSON.stringify({ unavailable: `${routerName} router could not start: ${(error as Error).message.split('\n')[0]}` })}\n`);
  process.exit(0);
}
try {
  callee = new ScriptedCallee(codecByName(serializer));
  await callee.start(router.url);
  process.stdout.write(`${JSON.stringify({ url: router.url })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ unavailable: `scripted callee could not register on ${routerName}: ${(error as Error).message}` })}\n`);
  await router.stop().catch(() => undefined);
  process.exit(0);
}

let stopping = false;
function shutdown(): void {
  if (stopping) return;
  stopping = true;
  callee?.stop();
  setTimeout(() => process.exit(0), 1500).unref();
  router.stop().then(
    () => process.exit(0),
    () => process.exit(0),
  );
}
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
setTimeout(shutdown, 10 * 60_000).unref();
