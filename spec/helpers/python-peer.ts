import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PYTHON_PATH } from '../../scripts/ensure-test-deps.mjs';

/**
 * Autobahn|Python (Debian's python3-autobahn, asyncio) as an independent peer: a child process
 * running spec/e2e/python/peer.py (over WebSocket) or rawsocket_peer.py (the same peer over
 * WAMP-RawSocket), driven by JSON lines (the protocol is described in peer.py).
 * Bytes cross the line protocol as {"$bytes": base64}; `toPeerJson`/`fromPeerJson` convert.
 */

export type PythonSerializer = 'json' | 'cbor' | 'msgpack';

/** The transport the peer connects over: each is its own script, with its own URL form. */
export type PythonTransport = 'websocket' | 'rawsocket';

const SCRIPTS: Record<PythonTransport, string> = {
  /** ws://host:port/path */
  websocket: fileURLToPath(new URL('../e2e/python/peer.py', import.meta.url)),
  /** rs://host:port or rs://unix:/path */
  rawsocket: fileURLToPath(new URL('../e2e/python/rawsocket_peer.py', import.meta.url)),
};

export interface PythonPeerOptions {
  /** Default 'websocket'. */
  readonly transport?: PythonTransport;
  /** How long joining may take; default 15 s. */
  readonly timeoutMs?: number;
}

/** A payload as the Python peer reports it: values, and their Python type names in the same shape. */
export interface PeerPayload {
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;
  readonly types: { readonly args: unknown[]; readonly kwargs: Record<string, unknown> };
}

/** One line from the peer; `event` says which (joined, registered, invoked, progress, result, error, cancelled, event, …). */
export interface PeerEvent extends Partial<PeerPayload> {
  readonly event: string;
  readonly id?: number;
  readonly [field: string]: unknown;
}

export interface PeerCallOutcome {
  /** Each progressive result the Python caller's on_progress received, in order. */
  readonly progress: PeerEvent[];
  /** The `result` or `error` event that ended the call. */
  readonly final: PeerEvent;
}

type Predicate = (event: PeerEvent) => boolean;

export interface PythonPeer {
  readonly serializer: PythonSerializer;
  /** WELCOME's session id, and its Python type name (`int` unless the router sent a float). */
  readonly sessionId: number;
  readonly sessionType: string;
  /** The Python class of the session's transport (WampRawSocketClientProtocol over RawSocket). */
  readonly transport: string;
  /** Every event the peer reported, in order. */
  readonly events: readonly PeerEvent[];
  /** The next event matching (events already queued first); each event is taken once. */
  next(match: string | Predicate, timeoutMs?: number): Promise<PeerEvent>;
  /** Sends a command with a fresh id; resolves with the peer's first answer carrying that id. */
  request(command: Record<string, unknown>, timeoutMs?: number): Promise<PeerEvent>;
  /** Registers a procedure that sends progress 0 .. count-1 every intervalMs, then the final count. Resolves once REGISTERED. */
  registerProgress(procedure: string, count: number, intervalMs?: number): Promise<number>;
  /** Registers a procedure returning its args and kwargs unchanged. Resolves once REGISTERED. */
  registerEcho(procedure: string): Promise<number>;
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: { onProgress?: boolean; timeoutMs?: number }): Promise<PeerCallOutcome>;
  /** A progressive call that Python cancels (CANCEL with `mode`) after `after` results; ends with `call_cancelled` (or the call's own end). */
  callAndCancel(procedure: string, after: number, mode?: 'kill' | 'killnowait' | 'skip'): Promise<PeerCallOutcome>;
  /** Resolves once SUBSCRIBED. */
  subscribe(topic: string): Promise<number>;
  /** An acknowledged publish; resolves with the publication id. */
  publish(topic: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<number>;
  /** Closes stdin (the peer leaves and exits); kills the process if it has not exited in time. */
  close(): Promise<void>;
}

/** A value for the line protocol: Uint8Array → {"$bytes": base64}, recursively. */
export function toPeerJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(toPeerJson);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toPeerJson(item)]));
  return value;
}

/** The reverse of toPeerJson: {"$bytes": base64} → Uint8Array. */
export function fromPeerJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromPeerJson);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === '$bytes') return new Uint8Array(Buffer.from(entries[0]![1] as string, 'base64'));
    return Object.fromEntries(entries.map(([key, item]) => [key, fromPeerJson(item)]));
  }
  return value;
}

/**
 * Starts the Python peer against a router and waits (bounded) until it joined. Rejects with
 * the peer's own reason and the end of its stderr when it cannot connect or join.
 */
export async function startPythonPeer(url: string, realm: string, serializer: PythonSerializer, options: PythonPeerOptions = {}): Promise<PythonPeer> {
  const { transport = 'websocket', timeoutMs = 15_000 } = options;
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
  // Both switch autobahn to libraries that change what the tests check (ujson drops bytes).
  delete env['AUTOBAHN_USE_UJSON'];
  delete env['AUTOBAHN_USE_UMSGPACK'];
  const child = spawn(PYTHON_PATH, [SCRIPTS[transport], url, realm, serializer], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const peer = new PeerProcess(child, serializer);
  const refused = `Autobahn|Python (${PYTHON_PATH}, ${transport}, ${serializer}) did not join ${url}`;
  let joined: PeerEvent;
  try {
    joined = await peer.next((event) => event.event === 'joined' || event.event === 'failed', timeoutMs);
  } catch (error) {
    await peer.close();
    const message = (error as Error).message;
    const hint = /No module named|ENOENT/.test(message) ? '\n(`node scripts/ensure-test-deps.mjs` installs what the Python peer needs)' : '';
    throw new Error(`${refused}: ${message}${hint}`, { cause: error });
  }
  if (joined.event === 'failed') {
    await peer.close(); // it exits by itself; this waits until its stderr is complete
    throw peer.failure(`${refused}: ${String(joined['error'])}`);
  }
  peer.joined(joined);
  return peer;
}

/** Starts peers (with `options`) for the running tests; every one started is closed after each test. */
export function usePythonPeers(options: PythonPeerOptions = {}): (url: string, realm: string, serializer: PythonSerializer) => Promise<PythonPeer> {
  const peers: PythonPeer[] = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.close()));
  });
  return async (url, realm, serializer) => {
    const peer = await startPythonPeer(url, realm, serializer, options);
    peers.push(peer);
    return peer;
  };
}

interface Waiter {
  readonly predicate: Predicate;
  resolve(event: PeerEvent): void;
  reject(error: Error): void;
}

class PeerProcess implements PythonPeer {
  readonly events: PeerEvent[] = [];
  sessionId = 0;
  sessionType = '';
  transport = '';
  private readonly queue: PeerEvent[] = [];
  private readonly waiters = new Set<Waiter>();
  private stderr = '';
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;
  private lastId = 0;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly serializer: PythonSerializer,
  ) {
    createInterface({ input: child.stdout }).on('line', (line) => this.receive(line));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-20_000);
    });
    child.stdin.on('error', () => undefined); // the peer may exit before reading everything
    this.exited = new Promise((resolve) => {
      child.on('error', (error) => {
        this.stderr += `\n${error.message}`;
      });
      child.on('close', (code, signal) => {
        this.exitCode = code ?? -1;
        const reason = this.failure(`Autobahn|Python exited (${signal ?? `code ${code}`})`);
        for (const waiter of this.waiters) waiter.reject(reason);
        this.waiters.clear();
        resolve();
      });
    });
  }

  joined(event: PeerEvent): void {
    this.sessionId = event['session'] as number;
    this.sessionType = event['session_type'] as string;
    this.transport = event['transport'] as string;
  }

  next(match: string | Predicate, timeoutMs = 5000): Promise<PeerEvent> {
    const predicate: Predicate = typeof match === 'string' ? (event) => event.event === match : match;
    const index = this.queue.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]!);
    if (this.exitCode !== undefined) return Promise.reject(this.failure('Autobahn|Python is not running'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(this.failure(`no matching event from Autobahn|Python within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  async request(command: Record<string, unknown>, timeoutMs = 5000): Promise<PeerEvent> {
    const id = ++this.lastId;
    const answer = this.next((event) => event.id === id, timeoutMs);
    this.send({ ...command, id });
    const event = await answer;
    if (event.event === 'command_failed') throw this.failure(`Autobahn|Python: ${String(command['cmd'])} failed: ${String(event['error'])}`);
    return event;
  }

  async registerProgress(procedure: string, count: number, intervalMs = 5): Promise<number> {
    return (await this.request({ cmd: 'register_progress', procedure, count, interval_ms: intervalMs }))['registration'] as number;
  }

  async registerEcho(procedure: string): Promise<number> {
    return (await this.request({ cmd: 'register_echo', procedure }))['registration'] as number;
  }

  call(
    procedure: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options: { onProgress?: boolean; timeoutMs?: number } = {},
  ): Promise<PeerCallOutcome> {
    const command = { cmd: 'call', procedure, args: toPeerJson(args), kwargs: toPeerJson(kwargs), on_progress: options.onProgress === true };
    return this.collect(command, options.timeoutMs ?? 5000);
  }

  callAndCancel(procedure: string, after: number, mode: 'kill' | 'killnowait' | 'skip' = 'kill'): Promise<PeerCallOutcome> {
    return this.collect({ cmd: 'call_cancel', procedure, after, mode }, 10_000);
  }

  /** Sends a call command; collects each "progress" until the event that ends the call. */
  private async collect(command: Record<string, unknown>, timeoutMs: number): Promise<PeerCallOutcome> {
    const id = ++this.lastId;
    this.send({ ...command, id });
    const progress: PeerEvent[] = [];
    for (;;) {
      const event = await this.next((candidate) => candidate.id === id, timeoutMs);
      if (event.event === 'progress') progress.push(event);
      else if (event.event === 'command_failed') throw this.failure(`Autobahn|Python: ${String(command['cmd'])} failed: ${String(event['error'])}`);
      else return { progress, final: event };
    }
  }

  async subscribe(topic: string): Promise<number> {
    return (await this.request({ cmd: 'subscribe', topic }))['subscription'] as number;
  }

  async publish(topic: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<number> {
    return (await this.request({ cmd: 'publish', topic, args: toPeerJson(args), kwargs: toPeerJson(kwargs) }))['publication'] as number;
  }

  async close(): Promise<void> {
    if (this.exitCode === undefined) {
      this.child.stdin.end();
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(killer);
    }
  }

  /** An Error carrying the peer's stderr tail and last events, for a readable test failure. */
  failure(message: string): Error {
    const stderr = this.stderr
      .trim()
      .split('\n')
      .filter((line) => !/trying transport \d+/.test(line))
      .slice(-15)
      .join('\n');
    const recent = this.events
      .slice(-5)
      .map((event) => JSON.stringify(event))
      .join('\n');
    // Python's own reason (a ProtocolError, an ImportError) is the last exception line of its stderr.
    const reason = this.stderr
      .split('\n')
      .reverse()
      .find((line) => /^[\w.]+(Error|Exception): /.test(line));
    return new Error(
      message +
        (reason ? `\n(${reason})` : '') +
        (stderr ? `\n--- Python stderr (end) ---\n${stderr}` : '') +
        (recent ? `\n--- last events ---\n${recent}` : ''),
    );
  }

  private send(command: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  private receive(line: string): void {
    let event: PeerEvent;
    try {
      event = JSON.parse(line) as PeerEvent;
    } catch {
      this.stderr += `\n(stdout) ${line}`;
      return;
    }
    this.events.push(event);
    for (const waiter of this.waiters) {
      if (waiter.predicate(event)) {
        this.waiters.delete(waiter);
        waiter.resolve(event);
        return;
      }
    }
    this.queue.push(event);
  }
}
