/**
 * TCP-level faults for tests: a server that accepts connections and never says a word (a
 * router that hangs before the WebSocket upgrade) and a proxy whose link can be frozen or cut
 * (a network that silently stops delivering, or drops every connection at once).
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

const HOST = '127.0.0.1';

export interface SilentServer {
  /** ws://127.0.0.1:<port>/ws */
  readonly url: string;
  readonly port: number;
  /** TCP connections accepted so far (open or not). */
  readonly connections: number;
  /** Destroys every accepted socket and closes the server. */
  close(): Promise<void>;
}

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** ws://127.0.0.1:<port>/ws: the target's WebSocket URL, through the proxy. */
  readonly url: string;
  /** Client connections currently open through the proxy. */
  readonly connections: number;
  /** True between pause() and resume(). */
  readonly paused: boolean;
  /**
   * Stops forwarding in both directions; every socket stays open. Bytes sent meanwhile are
   * held and delivered on resume(), as a link that stalls and recovers would.
   */
  pause(): void;
  /** Delivers what was held and forwards again. */
  resume(): void;
  /** Resets every connection (TCP RST on both sides); the proxy keeps accepting new ones. */
  dropAll(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

function listenOnFreePort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A TCP server that accepts every connection and never writes: a WebSocket client stays CONNECTING. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnFreePort(server);
  return {
    url: `ws://${HOST}:${port}/ws`,
    port,
    get connections() {
      return accepted;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

/** One client connection and its upstream twin. */
interface ProxiedConnection {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Chunks read while paused, per destination socket, in arrival order. */
  readonly held: Map<Socket, Buffer[]>;
}

/** A TCP proxy on a free 127.0.0.1 port forwarding to 127.0.0.1:targetPort. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const live = new Set<ProxiedConnection>();
  let paused = false;

  const deliver = (connection: ProxiedConnection, destination: Socket, source: Socket, chunk: Buffer) => {
    if (paused) {
      connection.held.get(destination)!.push(chunk);
      return;
    }
    // Back-pressure: stop reading the source until the destination drains (unless paused by then).
    if (!destination.write(chunk)) {
      source.pause();
      destination.once('drain', () => {
        if (!paused) source.resume();
      });
    }
  };

  const forward = (connection: ProxiedConnection, source: Socket, destination: Socket) => {
    source.on('data', (chunk: Buffer) => deliver(connection, destination, source, chunk));
    // A half-close passes through once held bytes are out (ending is held while paused).
    source.on('end', () => {
      const endWhenFlowing = () => {
        if (paused) setImmediate(endWhenFlowing);
        else destination.end();
      };
      endWhenFlowing();
    });
  };

  const server = createServer((client) => {
    const upstream = connect(targetPort, HOST);
    const connection: ProxiedConnection = {
      client,
      upstream,
      held: new Map([
        [client, []],
        [upstream, []],
      ]),
    };
    live.add(connection);
    const tearDown = () => {
      live.delete(connection);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', tearDown);
      socket.on('close', tearDown);
      if (paused) socket.pause();
    }
    forward(connection, client, upstream);
    forward(connection, upstream, client);
  });
  const port = await listenOnFreePort(server);

  const dropAll = () => {
    for (const { client, upstream } of [...live]) {
      for (const socket of [client, upstream]) {
        if (socket.destroyed) continue;
        // resetAndDestroy needs a TCP handle; a socket still connecting has none yet.
        if (socket.connecting) socket.destroy();
        else socket.resetAndDestroy();
      }
    }
    live.clear();
  };

  return {
    port,
    url: `ws://${HOST}:${port}/ws`,
    get connections() {
      return live.size;
    },
    get paused() {
      return paused;
    },
    pause() {
      paused = true;
      // Stop reading as well, so TCP flow control (not only our buffer) holds a busy sender.
      for (const { client, upstream } of live) {
        client.pause();
        upstream.pause();
      }
    },
    resume() {
      paused = false;
      for (const connection of live) {
        for (const [destination, chunks] of connection.held) {
          for (const chunk of chunks.splice(0)) destination.write(chunk);
        }
        connection.client.resume();
        connection.upstream.resume();
      }
    },
    dropAll,
    async close() {
      dropAll();
      await closeServer(server);
    },
  };
}
