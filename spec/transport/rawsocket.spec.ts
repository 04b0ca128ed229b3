import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { firstValueFrom, lastValueFrom, filter, toArray } from 'rxjs';
import { WampClient, WampConnectionError, WampError, type SerializerName } from '../../src/index.js';
import { MessageType as M } from '../../src/protocol/index.js';
import { rawSocket } from '../../src/rawsocket.js';
import { CODECS } from '../helpers/codecs.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';
import { failure } from '../helpers/failure.js';
import { until } from '../helpers/scripted-peer.js';
import { encodeFrame, encodeFrameHeader, FrameDecoder, FrameType, hexOctets, type RawSocketFrame } from '../../src/transport/rawsocket-framing.js';
import { parseRawSocketUrl } from '../../src/transport/rawsocket.js';

type ClientOptions = ConstructorParameters<typeof WampClient>[0];

/** One connection to the scripted router: the client's handshake as bytes, then frames. */
class ScriptedConnection {
  /** The client's 4 handshake octets, once they arrived. */
  handshake: Uint8Array | undefined;
  readonly frames: RawSocketFrame[] = [];
  readonly messages: unknown[][] = [];
  closed = false;
  private pending = Buffer.alloc(0);
  private decoder: FrameDecoder | undefined;

  constructor(
    readonly socket: Socket,
    private readonly codecName: SerializerName,
    private readonly onMessage: (connection: ScriptedConnection, message: unknown[]) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.arrived(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Accepts the handshake with `lengthExponent` (the router's receive limit) and starts reading frames. */
  accept(lengthExponent = 15, serializerId = this.handshake![1]! & 0x0f): void {
    this.write(Uint8Array.of(0x7f, (lengthExponent << 4) | serializerId, 0, 0));
    this.decoder = new FrameDecoder(2 ** 24);
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.byteLength > 0) this.frame(rest);
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  send(message: unknown[]): void {
    const encoded = CODECS[this.codecName].encode(message);
    this.write(encodeFrame(FrameType.message, typeof encoded === 'string' ? Buffer.from(encoded) : encoded));
  }

  private arrived(chunk: Buffer): void {
    if (this.decoder) return this.frame(chunk);
    this.pending = Buffer.concat([this.pending, chunk]);
    if (!this.handshake && this.pending.byteLength >= 4) {
      this.handshake = Uint8Array.from(this.pending.subarray(0, 4));
      this.pending = this.pending.subarray(4);
    }
  }

  private frame(chunk: Uint8Array): void {
    this.decoder!.push(chunk);
    for (let frame = this.decoder!.next(); frame; frame = this.decoder!.next()) {
      this.frames.push({ type: frame.type, payload: Uint8Array.from(frame.payload) });
      if (frame.type === FrameType.message) {
        const message = CODECS[this.codecName].decode(this.codecName === 'json' ? Buffer.from(frame.payload).toString() : frame.payload) as unknown[];
        this.messages.push(message);
        this.onMessage(this, message);
      }
    }
  }
}

const WELCOME_DETAILS = { roles: { dealer: { features: { progressive_call_results: true, call_canceling: true } }, broker: {} } };

/** A scripted WAMP-RawSocket router on a real TCP server: each test says how it answers. */
class ScriptedRouter {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly connections: ScriptedConnection[],
  ) {}

  static async start(
    codecName: SerializerName,
    onConnection: (connection: ScriptedConnection) => void,
    onMessage: (connection: ScriptedConnection, message: unknown[]) => void = welcome,
  ): Promise<ScriptedRouter> {
    const connections: ScriptedConnection[] = [];
    const server = createServer((socket) => {
      const connection = new ScriptedConnection(socket, codecName, onMessage);
      connections.push(connection);
      void until(() => connection.handshake !== undefined || connection.closed).then(() => {
        if (!connection.closed) onConnection(connection);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return new ScriptedRouter(server, `rs://127.0.0.1:${port}`, connections);
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Answers HELLO with WELCOME and GOODBYE with GOODBYE. */
function welcome(connection: ScriptedConnection, message: unknown[]): void {
  if (message[0] === M.HELLO) connection.send([M.WELCOME, 4242, WELCOME_DETAILS]);
  else if (message[0] === M.GOODBYE) connection.send([M.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
}

describe('transport: the RawSocket client against a scripted RawSocket router (exact bytes)', function () {
  this.timeout(20_000);
  const routers: ScriptedRouter[] = [];
  const clients: WampClient[] = [];
  const client = (options: Partial<ClientOptions> & { url: string }) => {
    const made = new WampClient({ realm: 'realm1', transports: [rawSocket], reconnect: false, ...options });
    clients.push(made);
    return made;
  };
  const start = async (...args: Parameters<typeof ScriptedRouter.start>) => {
    const router = await ScriptedRouter.start(...args);
    routers.push(router);
    return router;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((each) => each.close().catch(() => undefined)));
    await Promise.all(routers.splice(0).map((router) => router.stop()));
  });

  describe('the handshake', () => {
    for (const [serializer, maxMessageSize, bytes] of [
      ['json', undefined, '7F F1 00 00'],
      ['cbor', 65_536, '7F 73 00 00'],
      ['msgpack', 1000, '7F 02 00 00'],
      ['json', 2000, '7F 11 00 00'],
    ] as const) {
      it(`a ${serializer} client with maxMessageSize ${maxMessageSize ?? 'default (16 MiB)'} sends ${bytes}, then HELLO in a frame`, async () => {
        const router = await start(serializer, (connection) => connection.accept());
        await client({ url: router.url, serializers: [serializerEntry(serializer)], ...(maxMessageSize ? { maxMessageSize } : {}) }).connect();
        const connection = router.connections[0]!;
        expect(hexOctets(connection.handshake!)).to.equal(bytes);
        expect(connection.frames[0]!.type).to.equal(FrameType.message);
        expect(connection.messages[0]![0]).to.equal(M.HELLO);
      });
    }

    it('offers only the first of options.serializers', async () => {
      const router = await start('msgpack', (connection) => connection.accept());
      await client({ url: router.url, serializers: [serializerEntry('msgpack'), 'json'] }).connect();
      expect(hexOctets(router.connections[0]!.handshake!)).to.equal('7F F2 00 00');
    });

    for (const [code, meaning] of [
      [1, 'serializer unsupported'],
      [2, 'maximum message length unacceptable'],
      [3, 'use of reserved bits (unsupported feature)'],
      [4, 'maximum connection count reached'],
    ] as const) {
      it(`a refusal with error ${code} (7F ${(code << 4).toString(16).toUpperCase()} 00 00) is a retryable connect-failed WampConnectionError naming "${meaning}"`, async () => {
        const router = await start('json', (connection) => connection.write(Uint8Array.of(0x7f, code << 4, 0, 0)));
        const error = await failure(client({ url: router.url }).connect());
        expect(error).to.be.instanceOf(WampConnectionError);
        const connectionError = error as WampConnectionError;
        expect(connectionError.code).to.equal('connect-failed');
        expect(connectionError.retryable).to.equal(true);
        expect(connectionError.message).to.include(`refused the RawSocket handshake 7F F1 00 00 with error ${code}: ${meaning}`);
        if (code === 1) expect(connectionError.message).to.include('offered json, the first of options.serializers');
      });
    }

    it('an answer that repeats another serializer is a connect-failed WampConnectionError', async () => {
      const router = await start('json', (connection) => connection.accept(15, 2));
      const error = await failure(client({ url: router.url }).connect());
      expect(error).to.be.instanceOf(WampConnectionError);
      expect((error as Error).message).to.include('answered the RawSocket handshake 7F F1 00 00 with serializer id 2, not the 1 (json) offered');
    });

    it('an answer that is not RawSocket (an HTTP server) is a connect-failed WampConnectionError', async () => {
      const router = await start('json', (connection) => connection.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')));
      const error = await failure(client({ url: router.url }).connect());
      expect(error).to.be.instanceOf(WampConnectionError);
      expect((error as Error).message).to.include('does not start with 0x7F: not a WAMP-RawSocket router');
    });

    it('a router that never answers the handshake: connectTimeout gives a timeout WampConnectionError', async () => {
      const router = await start('json', () => undefined);
      const error = await failure(client({ url: router.url, connectTimeout: 200 }).connect());
      expect(error).to.be.instanceOf(WampConnectionError);
      expect((error as WampConnectionError).code).to.equal('timeout');
    });
  });

  it('close() while the handshake waits for its answer aborts it: connect() rejects, the socket is dropped', async () => {
    const router = await start('json', () => undefined);
    const rxwamp = client({ url: router.url });
    const connecting = failure(rxwamp.connect());
    await until(() => router.connections[0]?.handshake !== undefined);
    await rxwamp.close();
    const error = await connecting;
    expect(error).to.be.instanceOf(WampConnectionError);
    expect((error as WampConnectionError).code).to.equal('closed');
    await until(() => router.connections[0]!.closed);
  });

  describe('an open session', () => {
    it('an oversize incoming frame ends the connection: pending calls fail with a WampConnectionError saying so', async () => {
      const router = await start(
        'json',
        (connection) => connection.accept(),
        (connection, message) => {
          welcome(connection, message);
          // A header announcing 2 MiB to a client that announced 1 MiB (exponent 11).
          if (message[0] === M.CALL) connection.write(encodeFrameHeader(FrameType.message, 2 * 1024 * 1024));
        },
      );
      const rxwamp = client({ url: router.url, maxMessageSize: 1024 * 1024 });
      await rxwamp.connect();
      expect(hexOctets(router.connections[0]!.handshake!)).to.equal('7F B1 00 00');
      const error = await failure(lastValueFrom(rxwamp.call$('com.example.anything')));
      expect(error).to.be.instanceOf(WampConnectionError);
      expect((error as Error).message).to.include('a frame of 2097152 octets is over the limit of 1048576 announced in the handshake');
      await until(() => router.connections[0]!.closed);
    });

    it("an outgoing message over the router's limit fails that call alone with payload_size_exceeded; the session stays open", async () => {
      const router = await start(
        'json',
        (connection) => connection.accept(1),
        (connection, message) => {
          welcome(connection, message);
          if (message[0] === M.CALL) connection.send([M.RESULT, message[1], {}, ['small ok']]);
        },
      );
      const rxwamp = client({ url: router.url });
      await rxwamp.connect();
      const error = await failure(lastValueFrom(rxwamp.call$('com.example.big', ['x'.repeat(2000)])));
      expect(error).to.be.instanceOf(WampError);
      expect((error as WampError).uri).to.equal('wamp.error.payload_size_exceeded');
      expect((error as Error).message).to.include('over the 1024 bytes this RawSocket connection may send');
      const [result] = await lastValueFrom(rxwamp.call$('com.example.small', ['x']).pipe(toArray()));
      expect(result!.args).to.deep.equal(['small ok']);
      expect((await firstValueFrom(rxwamp.state$)).status).to.equal('open');
      // Nothing of the oversize call reached the wire: HELLO and the small CALL only.
      expect(router.connections[0]!.messages.map((m) => m[0])).to.deep.equal([M.HELLO, M.CALL]);
    });

    it('answers a PING with a PONG carrying the same payload', async () => {
      const router = await start('json', (connection) => connection.accept());
      await client({ url: router.url }).connect();
      const connection = router.connections[0]!;
      connection.write(encodeFrame(FrameType.ping, Uint8Array.of(1, 2, 3, 4, 5)));
      await until(() => connection.frames.some((frame) => frame.type === FrameType.pong));
      const pong = connection.frames.find((frame) => frame.type === FrameType.pong)!;
      expect(hexOctets(pong.payload)).to.equal('01 02 03 04 05');
    });

    it('sends no PING of its own until the router pinged; then pings on pingInterval', async () => {
      const router = await start(
        'json',
        (connection) => connection.accept(),
        (connection, message) => {
          welcome(connection, message);
          if (message[0] === M.CALL) connection.send([M.RESULT, message[1], {}, []]);
        },
      );
      const rxwamp = client({ url: router.url, pingInterval: 20, pongTimeout: 1000 });
      await rxwamp.connect();
      const connection = router.connections[0]!;
      const pings = () => connection.frames.filter((frame) => frame.type === FrameType.ping);
      // Calls back and forth for at least five ping intervals: no PING goes out meanwhile.
      const began = Date.now();
      while (Date.now() - began < 100) await lastValueFrom(rxwamp.call$('com.example.noop'));
      expect(pings()).to.have.length(0);
      connection.write(encodeFrame(FrameType.ping, Uint8Array.of(9)));
      await until(() => pings().length >= 1);
      // Each PING is answered with a PONG; the client keeps pinging on its interval.
      connection.write(encodeFrame(FrameType.pong, pings()[0]!.payload));
      await until(() => pings().length >= 2);
      expect(pings()[0]!.payload.byteLength).to.equal(4);
      expect((await firstValueFrom(rxwamp.state$)).status).to.equal('open');
    });

    it('a PING unanswered within pongTimeout (once the router pinged) ends the connection', async () => {
      const router = await start('json', (connection) => connection.accept());
      const rxwamp = client({ url: router.url, pingInterval: 20, pongTimeout: 100 });
      await rxwamp.connect();
      router.connections[0]!.write(encodeFrame(FrameType.ping, Uint8Array.of(9)));
      const lost = await firstValueFrom(rxwamp.state$.pipe(filter((state) => state.status !== 'open')));
      expect((lost as { error?: Error }).error).to.be.instanceOf(WampConnectionError);
      expect((lost as { error?: Error }).error!.message).to.include('no pong within 100 ms');
    });

    it('pacing holds against a router that stops reading: a registerStream callee is pulled only while the socket takes bytes', async () => {
      const CHUNK = 1024 * 1024;
      let invocationSent = false;
      const router = await start(
        'json',
        (connection) => connection.accept(),
        (connection, message) => {
          welcome(connection, message);
          if (message[0] === M.REGISTER) {
            connection.send([M.REGISTERED, message[1], 77]);
            // The router stops reading right away, then asks for a stream.
            connection.socket.pause();
            connection.send([M.INVOCATION, 1, 77, { receive_progress: true }]);
            invocationSent = true;
          }
        },
      );
      const rxwamp = client({ url: router.url, streamHighWaterMark: 64 * 1024 });
      let pulled = 0;
      const registration = rxwamp
        .registerStream('com.example.flood', async function* () {
          for (;;) {
            pulled++;
            yield 'x'.repeat(CHUNK);
          }
        })
        .subscribe();
      try {
        await until(() => invocationSent && pulled > 0);
        // Pulls stop once the kernel's buffers and the socket's are full.
        let last = -1;
        let unchangedPolls = 0;
        await until(
          () => {
            unchangedPolls = pulled === last ? unchangedPolls + 1 : 0;
            last = pulled;
            return unchangedPolls >= 20;
          },
          10_000,
          'the callee to stop being pulled',
        );
        expect(pulled).to.be.below(64); // at most what loopback's buffers hold, far from unbounded
        const stalledAt = pulled;
        router.connections[0]!.socket.resume();
        await until(() => pulled > stalledAt + 3);
      } finally {
        registration.unsubscribe();
      }
    });
  });

  describe('URLs', () => {
    it('reads rs://host:port, rss://host:port, rs://[::1]:port and rs://unix:/path', () => {
      expect(parseRawSocketUrl('rs://127.0.0.1:8081')).to.deep.equal({ secure: false, host: '127.0.0.1', port: 8081 });
      expect(parseRawSocketUrl('RSS://router.example.com:443')).to.deep.equal({ secure: true, host: 'router.example.com', port: 443 });
      expect(parseRawSocketUrl('rs://[::1]:9000')).to.deep.equal({ secure: false, host: '::1', port: 9000 });
      expect(parseRawSocketUrl('rs://unix:/tmp/wamp.sock')).to.deep.equal({ secure: false, path: '/tmp/wamp.sock' });
      expect(() => parseRawSocketUrl('rs://router')).to.throw(TypeError, 'needs a host and a port');
      expect(() => parseRawSocketUrl('rs://unix:relative.sock')).to.throw(TypeError, 'absolute path');
    });
  });
});
