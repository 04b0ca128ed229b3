/**
 * Notices a connection that stays open but carries nothing: a frozen router, a dead NAT entry,
 * a proxy that stopped forwarding. TCP alone may take many minutes to tell.
 */
export interface LivenessOptions {
  /** Send a WebSocket ping this often (ms) where the WebSocket can (Node's ws); 0 disables. */
  readonly pingInterval: number;
  /** A ping not answered by a pong within this many ms means the connection is dead. */
  readonly pongTimeout: number;
  /** No frame at all (messages, pongs) for this many ms means the connection is dead; 0 disables. */
  readonly idleTimeout: number;
}

/** The part of Node's ws that pings; browsers expose none of it. */
interface PingingSocket {
  ping(): void;
  on(event: 'pong' | 'ping', listener: () => void): void;
  /** Bytes handed to the socket and not yet taken by the peer. */
  readonly bufferedAmount?: number;
  _socket?: { on?(event: 'drain', listener: () => void): void };
}

/**
 * Runs the ping/pong and idle checks of one connection and calls `dead` once when a deadline
 * passes. `heard()` is called for every incoming frame: it only sets a flag, so the per-message
 * cost is one store (the idle check looks at the flag on its own tick).
 */
export class LivenessCheck {
  #heardSinceTick = true;
  /** Any sign of the peer since our last ping: a frame, its own ping, or it taking our bytes. */
  #aliveSincePing = false;
  readonly #timers: Array<ReturnType<typeof setInterval>> = [];
  #pongDeadline: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  readonly #dead: (reason: string) => void;

  constructor(socket: unknown, options: LivenessOptions, dead: (reason: string) => void) {
    this.#dead = dead;
    const pinging = asPingingSocket(socket);
    if (pinging && options.pingInterval > 0) {
      pinging.on('pong', () => this.#pong());
      // A router that holds back our stream (flow control) stops reading us, pongs included,
      // but it still pings us and takes our bytes as it drains: both prove it is alive.
      pinging.on('ping', () => this.#pong());
      pinging._socket?.on?.('drain', () => {
        this.#aliveSincePing = true;
      });
      this.#every(options.pingInterval, () => this.#ping(pinging, options.pongTimeout));
    }
    if (options.idleTimeout > 0) {
      this.#every(options.idleTimeout, () => {
        if (!this.#heardSinceTick) return this.#fail(`nothing received for ${options.idleTimeout} ms`);
        this.#heardSinceTick = false;
      });
    }
  }

  heard(): void {
    this.#heardSinceTick = true;
    this.#aliveSincePing = true;
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    clearTimeout(this.#pongDeadline);
    this.#pongDeadline = undefined;
  }

  #ping(socket: PingingSocket, pongTimeout: number): void {
    if (this.#pongDeadline !== undefined) return; // the previous ping is still within its deadline
    try {
      socket.ping();
    } catch {
      return; // the socket is closing; its close event follows
    }
    this.#aliveSincePing = false;
    this.#armPongDeadline(socket, pongTimeout, 1);
  }

  /**
   * No pong in time is death, unless the peer showed life otherwise, or our own bytes are
   * waiting on it: a peer applying backpressure gets one more deadline to show life (a frozen
   * one still fails, at twice the deadline).
   */
  #armPongDeadline(socket: PingingSocket, pongTimeout: number, round: number): void {
    this.#pongDeadline = unref(
      setTimeout(() => {
        this.#pongDeadline = undefined;
        if (this.#aliveSincePing) return;
        if (round === 1 && (socket.bufferedAmount ?? 0) > 0) return this.#armPongDeadline(socket, pongTimeout, 2);
        this.#fail(`no pong within ${pongTimeout * round} ms`);
      }, pongTimeout),
    );
  }

  #pong(): void {
    this.#heardSinceTick = true;
    this.#aliveSincePing = true;
    clearTimeout(this.#pongDeadline);
    this.#pongDeadline = undefined;
  }

  #every(ms: number, tick: () => void): void {
    this.#timers.push(unref(setInterval(tick, ms)));
  }

  #fail(reason: string): void {
    if (this.#stopped) return;
    this.stop();
    this.#dead(reason);
  }
}

function asPingingSocket(socket: unknown): PingingSocket | undefined {
  const candidate = socket as Partial<PingingSocket> | undefined;
  return typeof candidate?.ping === 'function' && typeof candidate.on === 'function' ? (candidate as PingingSocket) : undefined;
}

/** Liveness timers must not keep a Node process alive on their own (the socket does that). */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
