import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PYTHON_PATH } from '../../scripts/ensure-test-deps.mjs';
import { toPeerJson, type PeerCallOutcome, type PeerEvent, type PythonSerializer } from './python-peer.js';

/**
 * Autobahn|Python over WAMP-RawSocket: spec/e2e/python/rawsocket_peer.py, which runs peer.py's
 * commands over Autobahn's asyncio RawSocket client, driven by the same JSON lines as
 * python-peer.ts describes. (python-peer.ts starts only peer.py; this is its counterpart for
 * the RawSocket script, with the commands the RawSocket specs use.)
 */

const SCRIPT = fileURLToPath(new URL('../e2e/python/rawsocket_peer.py', import.meta.url));

type Predicate = (event: PeerEvent) => boolean;

export class PythonRawSocketPeer {
  readonly events: PeerEvent[] = [];
  sessionId = 0;
  sessionType = '';
  /** The Python class of the session's transport (WampRawSocketClientProtocol). */
  transport = '';
  private readonly queue: PeerEvent[] = [];
  private readonly waiters = new Set<{ predicate: Predicate; resolve(event: PeerEvent): void; reject(error: Error): void }>();
  private stderr = '';
  private exitCode: number | undefined;
  private readonly exited: Promise<void>;
  private lastId = 0;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly serializer: PythonSerializer) {
    createInterface({ input: child.stdout }).on('line', (line) => this.receive(line));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { this.stderr = (this.stderr + chunk).slice(-20_000); });
    child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      child.on('error', (error) => { this.stderr += `\n${error.message}`; });
      child.on('close', (code, signal) => {
        this.exitCode = code ?? -1;
        const reason = this.failure(`Autobahn|Python exited (${signal ?? `code ${code}`})`);
        for (const waiter of this.waiters) waiter.reject(reason);
        this.waiters.clear();
        resolve();
      });
    });
  }

  /** Starts the peer on `url` (rs://host:port or rs://unix:/path) and waits until it joined; rejects with its reason otherwise. */
  static async start(url: string, realm: string, serializer: PythonSerializer, timeoutMs = 15_000): Promise<PythonRawSocketPeer> {
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
    delete env['AUTOBAHN_USE_UJSON'];
    delete env['AUTOBAHN_USE_UMSGPACK'];
    const peer = new PythonRawSocketPeer(spawn(PYTHON_PATH, [SCRIPT, url, realm, serializer], { env, stdio: ['pipe', 'pipe', 'pipe'] }), serializer);
    let joined: PeerEvent;
    try {
      joined = await peer.next((event) => event.event === 'joined' || event.event === 'failed', timeoutMs);
    } catch (error) {
      await peer.close();
      throw new Error(`Autobahn|Python (RawSocket, ${serializer}) did not join ${url}: ${(error as Error).message}`, { cause: error });
    }
    if (joined.event === 'failed') {
      await peer.close();
      throw peer.failure(`Autobahn|Python (RawSocket, ${serializer}) did not join ${url}: ${String(joined['error'])}`);
    }
    peer.sessionId = joined['session'] as number;
    peer.sessionType = joined['session_type'] as string;
    peer.transport = joined['transport'] as string;
    return peer;
  }

  /** The next event matching (events already queued first); each is taken once. */
  next(match: string | Predicate, timeoutMs = 5000): Promise<PeerEvent> {
    const predicate: Predicate = typeof match === 'string' ? (event) => event.event === match : match;
    const index = this.queue.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]);
    if (this.exitCode !== undefined) return Promise.reject(this.failure('Autobahn|Python is not running'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(this.failure(`no matching event from Autobahn|Python within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        predicate,
        resolve: (event: PeerEvent) => { clearTimeout(timer); resolve(event); },
        reject: (error: Error) => { clearTimeout(timer); reject(error); },
      };
      this.waiters.add(waiter);
    });
  }

  /** Sends a command with a fresh id; resolves with the first answer carrying it. */
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

  /** A call; with onProgress, each progressive result is collected before the final `result` or `error`. */
  async call(procedure: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: { onProgress?: boolean } = {}): Promise<PeerCallOutcome> {
    return this.collect({ cmd: 'call', procedure, args: toPeerJson(args), kwargs: toPeerJson(kwargs), on_progress: options.onProgress === true });
  }

  /** A progressive call that Python cancels (CANCEL with `mode`) after `after` results; ends with `call_cancelled` (or the call's own end). */
  async callAndCancel(procedure: string, after: number, mode: 'kill' | 'killnowait' | 'skip' = 'kill'): Promise<PeerCallOutcome> {
    return this.collect({ cmd: 'call_cancel', procedure, after, mode });
  }

  /** Resolves once SUBSCRIBED; then an "event" for each EVENT. */
  async subscribe(topic: string): Promise<number> {
    return (await this.request({ cmd: 'subscribe', topic }))['subscription'] as number;
  }

  /** An acknowledged publish; resolves with the publication id. */
  async publish(topic: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<number> {
    return (await this.request({ cmd: 'publish', topic, args: toPeerJson(args), kwargs: toPeerJson(kwargs) }))['publication'] as number;
  }

  async close(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.stdin.end();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(killer);
  }

  /** An Error with the peer's stderr tail and last events. */
  failure(message: string): Error {
    const stderr = this.stderr.trim().split('\n').filter((line) => !/trying transport \d+/.test(line)).slice(-15).join('\n');
    const recent = this.events.slice(-5).map((event) => JSON.stringify(event)).join('\n');
    return new Error(message + (stderr ? `\n--- Python stderr (end) ---\n${stderr}` : '') + (recent ? `\n--- last events ---\n${recent}` : ''));
  }

  private async collect(command: Record<string, unknown>): Promise<PeerCallOutcome> {
    const id = ++this.lastId;
    this.send({ ...command, id });
    const progress: PeerEvent[] = [];
    for (;;) {
      const event = await this.next((candidate) => candidate.id === id, 10_000);
      if (event.event === 'progress') progress.push(event);
      else if (event.event === 'command_failed') throw this.failure(`Autobahn|Python: ${String(command['cmd'])} failed: ${String(event['error'])}`);
      else return { progress, final: event };
    }
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

/** Starts RawSocket Python peers for the running tests; every one started is closed after each test. */
export function usePythonRawSocketPeers(): (url: string, realm: string, serializer: PythonSerializer) => Promise<PythonRawSocketPeer> {
  const peers: PythonRawSocketPeer[] = [];
  afterEach(async () => { await Promise.all(peers.splice(0).map((peer) => peer.close())); });
  return async (url, realm, serializer) => {
    const peer = await PythonRawSocketPeer.start(url, realm, serializer);
    peers.push(peer);
    return peer;
  };
}
