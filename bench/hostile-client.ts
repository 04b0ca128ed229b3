/**
 * Hostile client (issue #19): an innocent client's call and publish latency through the
 * embedded router, alone and while one hostile client floods it, in one run; and the router's
 * heap once the hostile client has hit every per-session limit.
 *
 *   npx tsx bench/hostile-client.ts            writes the "Hostile client" section of bench/RESULTS.md (about a minute)
 *   npx tsx bench/hostile-client.ts --quick    small counts, prints the section only
 *
 * Three processes: the router (defaults, --expose-gc so it can report its live heap), the
 * hostile client, and this one (the driver and the innocent caller, callee, publisher and
 * subscriber, bare `ws` with JSON frames, so the figures are the router's and not a client
 * library's). The hostile client first fills every limit with URIs of the maximum length
 * (subscriptions and registrations: exact, prefix and wildcard; calls to itself that it never
 * answers), then floods until told to stop: PUBLISHes and CALLs to 16,000-character URIs, PUBLISHes of
 * maximum-length topics that its subscriptions match, SUBSCRIBEs and CALLs
 * over its limits; each burst as soon as its socket has sent the last one.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import WebSocket, { type RawData } from 'ws';
import { ALL_SERIALIZERS, CODECS } from '../spec/helpers/codecs.js';
import { Router } from '../src/router/index.js';
import { DEFAULT_SESSION_LIMITS } from '../src/router/core/session-limits.js';
import { percentileSorted, REALM } from './lib/common.js';
import { writeResultsSection } from './lib/results-section.js';

const self = fileURLToPath(import.meta.url);
const quick = process.argv.includes('--quick');
const OPERATIONS = quick ? 300 : 3_000;
const LIMITS = DEFAULT_SESSION_LIMITS;
/** Over the URI limit: refused before any lookup (the issue's reproduction used 16,000). */
const LONG_URI = `com.hostile.${'x'.repeat(16_000)}`;
const MIB = 1024 * 1024;
const HOSTILE_NICE = !process.argv.includes('--hostile-not-niced');
const json = CODECS.json;
const M = {
  HELLO: 1,
  WELCOME: 2,
  ERROR: 8,
  PUBLISH: 16,
  PUBLISHED: 17,
  SUBSCRIBE: 32,
  SUBSCRIBED: 33,
  EVENT: 36,
  CALL: 48,
  RESULT: 50,
  REGISTER: 64,
  REGISTERED: 65,
  INVOCATION: 68,
  YIELD: 70,
} as const;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** A URI of exactly `length` characters starting with `head`. */
function uriOf(head: string, length: number): string {
  return `${head}${'a'.repeat(length - head.length)}`;
}

// ---------------------------------------------------------------- a bare JSON peer

class Peer {
  private requestId = 0;
  onMessage: (message: unknown[]) => void = () => undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => this.onMessage(json.decode(data.toString()) as unknown[]));
  }

  static async join(url: string): Promise<Peer> {
    const ws = new WebSocket(url, [json.subprotocol], { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const peer = new Peer(ws);
    const welcomed = peer.next((m) => m[0] === M.WELCOME);
    peer.send([M.HELLO, REALM, { roles: { caller: {}, callee: {}, publisher: {}, subscriber: { features: { pattern_based_subscription: true } } } }]);
    await welcomed;
    return peer;
  }

  /** `sent`: called once ws has written the frame to the socket. */
  send(message: unknown[], sent?: () => void): void {
    this.ws.send(json.encode(message), sent && (() => sent()));
  }

  request(): number {
    return ++this.requestId;
  }

  /** The next message matching `predicate` (every other one goes to onMessage's previous handler). */
  next(predicate: (message: unknown[]) => boolean): Promise<unknown[]> {
    const previous = this.onMessage;
    return new Promise((resolve) => {
      this.onMessage = (message) => {
        if (!predicate(message)) return previous(message);
        this.onMessage = previous;
        resolve(message);
      };
    });
  }
}

// ---------------------------------------------------------------- the router process

async function runRouter(): Promise<void> {
  const router = new Router({ realms: [REALM], serializers: ALL_SERIALIZERS });
  const { url } = await router.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  const gc = (globalThis as { gc?: () => void }).gc;
  // How long the router's event loop was held up: what every session waits for, whatever the machine does to the clients.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  // And how much of that was garbage collection (the flood decodes megabytes a second).
  let gcMax = 0;
  let gcTotal = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMax = Math.max(gcMax, entry.duration);
      gcTotal += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'loop') {
      const ms = (ns: number) => ns / 1e6;
      process.stdout.write(
        `${JSON.stringify({ p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max), gcMax, gcTotal })}\n`,
      );
      loopDelay.reset();
      gcMax = 0;
      gcTotal = 0;
      return;
    }
    if (line !== 'heap') return;
    gc?.();
    gc?.();
    const { used_heap_size: heapUsed } = v8.getHeapStatistics();
    const { arrayBuffers } = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ heapUsed, arrayBuffers, sessions: router.sessionCount(REALM) })}\n`);
  });
  process.stdin.once('end', () => void router.close().then(() => process.exit(0)));
}

// ---------------------------------------------------------------- the hostile process

async function runHostile(url: string): Promise<void> {
  const peer = await Peer.join(url);
  const answers = new Map<string, number>();
  const count = (message: unknown[]) => {
    const kind = message[0] === M.ERROR ? String(message[4]) : `type ${String(message[0])}`;
    answers.set(kind, (answers.get(kind) ?? 0) + 1);
  };
  peer.onMessage = count;
  // Fill every limit with maximum-length URIs: what its state costs the router at most.
  const sink = uriOf('com.hostile.sink.', LIMITS.maxUriLength);
  peer.send([M.REGISTER, peer.request(), { match: 'prefix' }, 'com.hostile.sink.']);
  for (let i = 1; i < LIMITS.maxRegistrations; i++) {
    const match = ['exact', 'prefix', 'wildcard'][i % 3]!;
    peer.send([M.REGISTER, peer.request(), { match }, uriOf(`com.hostile.r${i}.${match === 'wildcard' ? '.' : ''}`, LIMITS.maxUriLength)]);
  }
  for (let i = 0; i < LIMITS.maxSubscriptions; i++) {
    const match = ['exact', 'prefix', 'wildcard'][i % 3]!;
    peer.send([
      M.SUBSCRIBE,
      peer.request(),
      { match },
      match === 'wildcard' ? uriOf(`com..s${i}.`, LIMITS.maxUriLength) : uriOf(`com.hostile.s${i}.`, LIMITS.maxUriLength),
    ]);
  }
  // Calls to itself (a prefix registration), never answered: maxCallsInFlight and maxPendingInvocations at once.
  for (let i = 0; i < LIMITS.maxCallsInFlight; i++) peer.send([M.CALL, peer.request(), {}, sink, [i]]);
  // The last of them answered (INVOCATIONs come before): every limit is full.
  const lastCall = peer.request();
  await new Promise<void>((resolve) => {
    peer.onMessage = (message) => {
      count(message);
      if (message[0] === M.ERROR && message[2] === lastCall) resolve();
    };
    peer.send([M.CALL, lastCall, {}, sink, ['one too many']]);
  });
  peer.onMessage = count;
  process.stdout.write(`${JSON.stringify({ filled: Object.fromEntries(answers) })}\n`);

  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  await lines.next(); // "flood"
  let flooding = true as boolean; // `as boolean`: set by the callback, which TypeScript's narrowing cannot see
  void lines.next().then(() => {
    flooding = false;
  });
  const matched = uriOf('com.hostile.s0.', LIMITS.maxUriLength); // matched by its prefix subscriptions and walked by the wildcard trie
  let bursts = 0;
  while (flooding) {
    await new Promise<void>((sent) => {
      for (let i = 0; i < 10; i++) {
        peer.send([M.PUBLISH, peer.request(), { acknowledge: true }, LONG_URI, ['long']]);
        peer.send([M.CALL, peer.request(), {}, LONG_URI, ['long']]);
        peer.send([M.PUBLISH, peer.request(), { acknowledge: true }, matched, ['match']]);
        peer.send([M.SUBSCRIBE, peer.request(), {}, `com.hostile.more${bursts}.${i}`]);
        peer.send([M.CALL, peer.request(), {}, sink, ['more']], i === 9 ? sent : undefined);
      }
    });
    bursts++;
  }
  process.stdout.write(`${JSON.stringify({ bursts, answers: Object.fromEntries(answers) })}\n`);
  peer.ws.close();
  process.exit(0);
}

// ---------------------------------------------------------------- the innocent client and the driver

interface Latencies {
  readonly call: number[];
  readonly publish: number[];
}

/** OPERATIONS sequential echo calls, then OPERATIONS sequential acknowledged publishes (to a subscribed topic): each one's round trip in ms. */
async function innocentRound(caller: Peer): Promise<Latencies> {
  const call: number[] = [];
  const publish: number[] = [];
  for (let i = 0; i < OPERATIONS; i++) {
    const id = caller.request();
    const started = performance.now();
    const answered = caller.next((m) => m[0] === M.RESULT && m[1] === id);
    caller.send([M.CALL, id, {}, 'com.innocent.echo', [i]]);
    await answered;
    call.push(performance.now() - started);
  }
  for (let i = 0; i < OPERATIONS; i++) {
    const id = caller.request();
    const started = performance.now();
    const acknowledged = caller.next((m) => m[0] === M.PUBLISHED && m[1] === id);
    caller.send([M.PUBLISH, id, { acknowledge: true }, 'com.innocent.news', [i]]);
    await acknowledged;
    publish.push(performance.now() - started);
  }
  return { call, publish };
}

/** `lowPriority`: run under `nice -n 19` (see the hostile client in drive()). */
function child(args: string[], flags: string[] = [], lowPriority = false) {
  const command = [process.execPath, ...flags, '--import', 'tsx', self, ...args];
  const process_ =
    lowPriority && process.platform !== 'win32'
      ? spawn('nice', ['-n', '19', ...command], { stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => process_.once('exit', () => resolve()));
  const lines = createInterface({ input: process_.stdout })[Symbol.asyncIterator]();
  const nextJson = async <T>() => JSON.parse((await lines.next()).value as string) as T;
  return { nextJson, stdin: process_.stdin, exited };
}

interface Heap {
  readonly heapUsed: number;
  readonly arrayBuffers: number;
  readonly sessions: number;
}
interface LoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly gcMax: number;
  readonly gcTotal: number;
}

async function drive(): Promise<string> {
  const router = child(['--role', 'router'], ['--expose-gc', ...(process.env['HOSTILE_PROF'] ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [])]);
  const { url } = await router.nextJson<{ url: string }>();
  const heap = async () => {
    router.stdin.write('heap\n');
    return router.nextJson<Heap>();
  };
  const loopDelay = async () => {
    router.stdin.write('loop\n');
    return router.nextJson<LoopDelay>();
  };
  try {
    const callee = await Peer.join(url);
    const subscriber = await Peer.join(url);
    const caller = await Peer.join(url);
    callee.onMessage = (m) => {
      if (m[0] === M.INVOCATION) callee.send([M.YIELD, m[1], {}, m[4] ?? []]);
    };
    callee.send([M.REGISTER, callee.request(), {}, 'com.innocent.echo']);
    await callee.next((m) => m[0] === M.REGISTERED);
    subscriber.send([M.SUBSCRIBE, subscriber.request(), {}, 'com.innocent.news']);
    await subscriber.next((m) => m[0] === M.SUBSCRIBED);
    await innocentRound(caller); // warm-up
    const before = await heap();
    process.stderr.write('  hostile client: innocent alone\n');
    await loopDelay();
    const alone = await innocentRound(caller);
    const aloneLoop = await loopDelay();

    // The hostile client is niced: a real one floods from its own machine, and its CPU here
    // (encoding and masking megabytes a second) would otherwise be taken from the router's.
    const hostile = child(['--role', 'hostile', '--url', url], [], HOSTILE_NICE);
    const { filled } = await hostile.nextJson<{ filled: Record<string, number> }>();
    const full = await heap();
    process.stderr.write(`  hostile client: every limit filled (${JSON.stringify(filled)}); innocent under the flood\n`);
    hostile.stdin.write('flood\n');
    await loopDelay();
    const flooded = await innocentRound(caller);
    const floodedLoop = await loopDelay();
    hostile.stdin.write('stop\n');
    const flood = await hostile.nextJson<{ bursts: number; answers: Record<string, number> }>();
    hostile.stdin.end();
    await hostile.exited;
    // Its session is released when its socket closes: wait for that, by the router's own count.
    let after = await heap();
    while (after.sessions > 3) after = await heap();
    for (const peer of [callee, subscriber, caller]) peer.ws.close();
    return render({ alone, flooded, aloneLoop, floodedLoop, before, full, after, filled, flood });
  } finally {
    router.stdin.end();
    await router.exited;
  }
}

function render(r: {
  alone: Latencies;
  flooded: Latencies;
  aloneLoop: LoopDelay;
  floodedLoop: LoopDelay;
  before: Heap;
  full: Heap;
  after: Heap;
  filled: Record<string, number>;
  flood: { bursts: number; answers: Record<string, number> };
}): string {
  const ms = (values: number[], p: number) =>
    percentileSorted(
      [...values].sort((a, b) => a - b),
      p,
    ).toFixed(2);
  const row = (what: string, latencies: Latencies, loop: LoopDelay) =>
    `| ${what} | ${ms(latencies.call, 50)} | ${ms(latencies.call, 99)} | ${ms(latencies.publish, 50)} | ${ms(latencies.publish, 99)} | ${loop.p99.toFixed(1)} | ${loop.max.toFixed(1)} | ${loop.gcMax.toFixed(1)} | ${Math.round(loop.gcTotal)} |`;
  const mib = (bytes: number) => (bytes / MIB).toFixed(1);
  const n = (value: number) => value.toLocaleString('en-US');
  const live = (heap: Heap) => heap.heapUsed + heap.arrayBuffers;
  const answers = Object.entries(r.flood.answers)
    .sort(([, a], [, b]) => b - a)
    .map(([uri, n]) => `${uri} ${n.toLocaleString('en-US')}`)
    .join(', ');
  return [
    SECTION_TITLE,
    '',
    `Written by \`npx tsx bench/hostile-client.ts\` (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores); \`npm run bench\` runs it after the other figures.`,
    `Three processes: the embedded router (default limits: URIs up to ${n(LIMITS.maxUriLength)} characters; per session ${n(LIMITS.maxRegistrations)} registrations, ${n(LIMITS.maxSubscriptions)} subscriptions, ${n(LIMITS.maxCallsInFlight)} calls in flight, ${n(LIMITS.maxPendingInvocations)} unanswered invocations), one hostile client${HOSTILE_NICE ? ' (under `nice -n 19`: a real one floods from its own machine)' : ''}, and the innocent clients (bare \`ws\`, JSON: a caller, an echo callee, a subscriber).`,
    `The innocent caller makes ${OPERATIONS.toLocaleString('en-US')} sequential echo calls, then ${OPERATIONS.toLocaleString('en-US')} sequential acknowledged publishes to a subscribed topic, first alone, then while the hostile client floods; ms per round trip.`,
    'The hostile client first fills every limit with URIs of the maximum length (registrations and subscriptions, exact, prefix and wildcard; calls to its own prefix registration that it never answers), then floods until the innocent rounds end, each burst as soon as its socket has sent the last:',
    `PUBLISH and CALL to ${n(LONG_URI.length)}-character URIs, PUBLISH to a ${n(LIMITS.maxUriLength)}-character topic its exact and prefix subscriptions match and its wildcard ones are walked for, SUBSCRIBE and CALL over its limits.`,
    '',
    '| innocent client | call p50 | call p99 | publish p50 | publish p99 | router loop delay p99 | router loop delay max | router GC pause max | router GC total |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('alone', r.alone, r.aloneLoop),
    row('with the hostile client flooding', r.flooded, r.floodedLoop),
    '',
    "*Router loop delay*: the router process's event-loop delay (`monitorEventLoopDelay`, 1 ms resolution) during that round, in ms: how long the router kept every session waiting, apart from what the machine's scheduler does to the clients (three busy processes share its cores); it also counts time the router process was not scheduled. *GC*: the router's garbage-collection pauses in that round (`PerformanceObserver` gc entries), the longest and their sum, ms.",
    '',
    `The flood: ${n(r.flood.bursts)} bursts of 50 messages written to the hostile client's socket (TCP holds back what the router has not read); what the router had answered when it stopped: ${answers}.`,
    '',
    'Router live heap (`v8.getHeapStatistics().used_heap_size` after two forced GCs, plus ArrayBuffers), MiB:',
    '',
    '| innocent clients only | + hostile client at every limit | growth | after it left |',
    '| ---: | ---: | ---: | ---: |',
    `| ${mib(live(r.before))} | ${mib(live(r.full))} | +${mib(live(r.full) - live(r.before))} | ${mib(live(r.after))} |`,
    '',
    `Filling the limits, the hostile client got: ${Object.entries(r.filled)
      .map(([uri, n]) => `${uri} ${n.toLocaleString('en-US')}`)
      .join(', ')}.`,
    '',
  ].join('\n');
}

const SECTION_TITLE = "## 9. Hostile client: an innocent client's latency while another floods the router";

const role = argument('role');
if (role === 'router') {
  await runRouter();
} else if (role === 'hostile') {
  await runHostile(argument('url')!);
} else {
  const started = Date.now();
  const section = await drive();
  process.stdout.write(`${section}\n`);
  if (!quick) {
    writeResultsSection('9. Hostile client', section);
    process.stderr.write(`wrote the "Hostile client" section of bench/RESULTS.md in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  process.exit(0);
}
