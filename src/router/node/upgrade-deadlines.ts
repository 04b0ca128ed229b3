import type { Duplex } from 'node:stream';

/**
 * Destroys connections that do not become WebSockets in time. Node's HTTP server would hold a
 * silent TCP connection, or a request whose headers never finish, for 60–90 s (its
 * headersTimeout plus its 30 s check interval): enough for a peer to pile up sockets cheaply.
 * The router arms a deadline on every connection to the server it owns (listen()) and on every
 * upgrade request for its path (attach()); the WebSocket opening disarms it, after which the
 * WAMP handshake timer takes over.
 */
export class UpgradeDeadlines {
  private readonly pending = new Map<Duplex, ReturnType<typeof setTimeout>>();

  constructor(private readonly timeoutMs: number) {}

  /** Starts the socket's deadline unless it already runs. */
  arm(socket: Duplex): void {
    if (this.pending.has(socket) || socket.destroyed) return;
    this.pending.set(
      socket,
      setTimeout(() => {
        this.pending.delete(socket);
        socket.destroy();
      }, this.timeoutMs),
    );
    socket.once('close', () => this.disarm(socket));
  }

  /** The socket became a WebSocket (or closed): it may stay. */
  disarm(socket: Duplex): void {
    clearTimeout(this.pending.get(socket));
    this.pending.delete(socket);
  }

  /** Router shutdown: nothing half-open outlives it. */
  destroyAll(): void {
    for (const [socket, timer] of this.pending) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.pending.clear();
  }
}
