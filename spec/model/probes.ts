/**
 * What the model tests watch besides the router: a WebSocket class that counts its live
 * instances (invariant 1), a recorder per subscribed Observable or Promise (invariant 3), the
 * process's uncaught errors and rxjs's reported ones (invariant 4), and the timers and TCP
 * handles alive in this process (invariant 5).
 */
import { AsyncLocalStorage, createHook, type AsyncHook } from 'node:async_hooks';
import { config } from 'rxjs';
import { WebSocket } from 'ws';
import type { WebSocketConstructor } from '../../src/index.js';

const CONNECTING = 0;
const OPEN = 1;

/**
 * Counts one client's sockets: every instance created and not yet 'close'd is live. Creating
 * a socket, or one opening, while another of the same client is connecting or open is a
 * violation of "at most one socket per client", recorded at that moment (not only at the end
 * of a step, so a second socket that comes and goes is seen too).
 */
export class SocketCounter {
  readonly live = new Set<WebSocket>();
  readonly violations: string[] = [];
  created = 0;
  /**
   * Set once the test is done with this client: a client that still opens sockets afterwards
   * (a leak the run already failed on) gets them terminated at once, so it cannot disturb the
   * runs after it.
   */
  retired = false;
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const counter = this;
    class CountingWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[], options?: ConstructorParameters<typeof WebSocket>[2]) {
        super(address, protocols, options);
        if (counter.retired) {
          this.on('error', () => undefined);
          this.terminate();
          return;
        }
        const number = ++counter.created;
        counter.noteOthers(this, `socket #${number} was created`);
        counter.live.add(this);
        this.once('open', () => counter.noteOthers(this, `socket #${number} opened`));
        this.once('close', () => counter.live.delete(this));
      }
    }
    this.WebSocket = CountingWebSocket;
  }

  /** Sockets connecting or open. */
  get active(): WebSocket[] {
    return [...this.live].filter((socket) => socket.readyState === CONNECTING || socket.readyState === OPEN);
  }

  /** The one open socket, for a client-side TCP drop. */
  get openSocket(): WebSocket | undefined {
    return [...this.live].find((socket) => socket.readyState === OPEN);
  }

  private noteOthers(self: WebSocket, what: string): void {
    const others = this.active.filter((socket) => socket !== self);
    if (others.length > 0) {
      this.violations.push(
        `${what} while ${others.length} other socket(s) of the same client were ${others.map((s) => (s.readyState === OPEN ? 'open' : 'connecting')).join(', ')}`,
      );
    }
  }
}

export interface Ending {
  readonly kind: 'complete' | 'error';
  readonly error?: unknown;
}

/**
 * One Observable (or Promise) the test subscribed to: every value, every ending, and anything
 * delivered after the end (invariant 3).
 */
export class Recorder<T = unknown> {
  readonly values: T[] = [];
  readonly endings: Ending[] = [];
  /** next/error/complete calls after the first ending. */
  afterEnd = 0;
  /** The test unsubscribed: nothing more is expected. */
  unsubscribed = false;
  unsubscribe: () => void = () => undefined;

  constructor(readonly label: string) {}

  readonly observer = {
    next: (value: T) => {
      if (this.endings.length > 0) this.afterEnd++;
      else this.values.push(value);
    },
    error: (error: unknown) => {
      if (this.endings.length > 0) this.afterEnd++;
      this.endings.push({ kind: 'error', error });
    },
    complete: () => {
      if (this.endings.length > 0) this.afterEnd++;
      this.endings.push({ kind: 'complete' });
    },
  };

  /** A Promise as an Observable of one value: resolve → next + complete, reject → error. */
  watch(promise: Promise<T>): this {
    promise.then(
      (value) => {
        this.observer.next(value);
        this.observer.complete();
      },
      (error: unknown) => this.observer.error(error),
    );
    return this;
  }

  get ended(): boolean {
    return this.endings.length > 0;
  }

  get error(): unknown {
    return this.endings.find((ending) => ending.kind === 'error')?.error;
  }
}

/** An error our own hostile callbacks throw, so each can be traced to where it went. */
export class HostileError extends Error {
  static count = 0;
  readonly serial = ++HostileError.count;
  constructor(readonly where: string) {
    super(`hostile ${where} throws (#${HostileError.count + 1})`);
    this.name = 'HostileError';
  }
}

/**
 * Invariant 4: uncaught exceptions and unhandled rejections (mocha's own listeners are set
 * aside while installed, so a stray error is this suite's finding, not a mocha failure of some
 * later test), and what rxjs reports through `config.onUnhandledError` (a throwing subscriber
 * callback of the application; expected exactly when our own state$ listener threw).
 */
export class ErrorTrap {
  readonly uncaught: unknown[] = [];
  readonly unhandledRejections: unknown[] = [];
  readonly rxjsReported: unknown[] = [];
  private saved:
    { uncaught: NodeJS.UncaughtExceptionListener[]; rejection: NodeJS.UnhandledRejectionListener[]; rx: typeof config.onUnhandledError } | undefined;
  private readonly onUncaught = (error: unknown) => {
    this.uncaught.push(error);
  };
  private readonly onRejection = (reason: unknown) => {
    this.unhandledRejections.push(reason);
  };

  install(): void {
    if (this.saved) return;
    this.saved = {
      uncaught: process.listeners('uncaughtException'),
      rejection: process.listeners('unhandledRejection'),
      rx: config.onUnhandledError,
    };
    process.removeAllListeners('uncaughtException');
    process.removeAllListeners('unhandledRejection');
    process.on('uncaughtException', this.onUncaught);
    process.on('unhandledRejection', this.onRejection);
    config.onUnhandledError = (error) => {
      this.rxjsReported.push(error);
    };
  }

  uninstall(): void {
    const saved = this.saved;
    if (!saved) return;
    this.saved = undefined;
    process.off('uncaughtException', this.onUncaught);
    process.off('unhandledRejection', this.onRejection);
    for (const listener of saved.uncaught) process.on('uncaughtException', listener);
    for (const listener of saved.rejection) process.on('unhandledRejection', listener);
    config.onUnhandledError = saved.rx;
  }

  clear(): void {
    this.uncaught.length = 0;
    this.unhandledRejections.length = 0;
    this.rxjsReported.length = 0;
  }
}

const TRACKED = new Set(['Timeout', 'TCPWRAP', 'TCPCONNECTWRAP']);

/**
 * Invariant 5: timers and TCP handles created since `mark()` and still alive, by async_hooks
 * (unref'd timers too, which `process.getActiveResourcesInfo()` does not list), plus the
 * per-type counts of `process.getActiveResourcesInfo()` against the ones at `mark()`.
 */
export class ResourceTracker {
  private readonly alive = new Map<number, { type: string; stack: string; serial: number; owner: number | undefined }>();
  private readonly owner = new AsyncLocalStorage<number>();
  private runs = 0;
  private serial = 0;
  private markSerial = 0;
  private baseline = new Map<string, number>();
  private hook: AsyncHook | undefined;
  private quiet = 0;

  enable(): void {
    this.hook ??= createHook({
      init: (asyncId, type) => {
        if (this.quiet > 0 || !TRACKED.has(type)) return;
        const stack = (new Error().stack ?? '').split('\n').slice(3, 12).join('\n');
        this.alive.set(asyncId, { type, stack, serial: ++this.serial, owner: this.owner.getStore() });
      },
      destroy: (asyncId) => {
        this.alive.delete(asyncId);
      },
    });
    this.hook.enable();
  }

  disable(): void {
    this.hook?.disable();
    this.alive.clear();
  }

  /** Runs `work`; the timers it creates synchronously are the harness's own, not counted. */
  quietly<T>(work: () => T): T {
    this.quiet++;
    try {
      return work();
    } finally {
      this.quiet--;
    }
  }

  /**
   * Runs one test run: what is created in its async context (its commands, and every callback
   * of the sockets and timers they start) is that run's. A client of an earlier, failed run that
   * still works in the background is not counted against this one.
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    const owner = ++this.runs;
    return this.owner.run(owner, () => {
      this.markSerial = this.serial;
      this.baseline = activeResourceCounts();
      return work();
    });
  }

  /** Whether clients of earlier runs are known to be still busy (then only this run's own resources are compared). */
  polluted = false;

  /** What the current run created and is still alive, and the resource types above its baseline. */
  leaks(): string[] {
    const leaks: string[] = [];
    const current = this.owner.getStore();
    for (const { type, stack, serial, owner } of this.alive.values()) {
      if (serial > this.markSerial && owner === current) leaks.push(`${type} created at\n${stack}`);
    }
    if (this.polluted) return leaks;
    const now = activeResourceCounts();
    for (const [type, count] of now) {
      const before = this.baseline.get(type) ?? 0;
      if (!(type === 'Timeout' || type.startsWith('TCP'))) continue;
      // Created since the mark by someone else (mocha, an earlier run's client): not this client's.
      const hookType = type === 'Timeout' ? 'Timeout' : 'TCPWRAP';
      const others = [...this.alive.values()].filter((r) => r.type === hookType && r.serial > this.markSerial && r.owner !== current).length;
      if (count - others > before)
        leaks.push(`process.getActiveResourcesInfo(): ${count} ${type}, ${others} of them not this run's (before the client: ${before})`);
    }
    return leaks;
  }
}

function activeResourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}
