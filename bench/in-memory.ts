/**
 * rxwamp/testing in figures: the same rxwamp client code through `createTestRouter()` (the
 * router core in memory, no socket) and through the embedded `Router` of rxwamp/router over a
 * loopback WebSocket (ws://127.0.0.1, port 0), as a unit test suite would use either:
 *
 * - call round trip, 1 call in flight (p50, p99) and 100 in flight (calls/s);
 * - progressive results/s of a `registerStream` callee streaming to a `call$` caller;
 * - one test's set-up and tear-down: a router and two joined clients, then closing it all;
 * - heap kept by `router.messages` (the test router records every message for assertions).
 *
 *   npx tsx bench/in-memory.ts            writes the "In-memory test router" section of bench/RESULTS.md (about 2 minutes)
 *   npx tsx bench/in-memory.ts --quick    small counts, prints the section only
 *
 * Router and clients share one process in both ways of connecting, as in a test suite; each
 * (way, serializer) gets fresh processes, the two ways alternating round by round so drift on
 * a shared machine hits both. Like bench/run.ts, what is measured runs as JavaScript compiled
 * by tsc (as the package ships), not through tsx.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { range } from 'rxjs';
import type { SerializerName } from '../src/codec/index.js';
import { WampClient, ready, type Serializer } from '../src/index.js';
import { Router } from '../src/router/index.js';
import { createTestRouter } from '../src/testing.js';
import { serializer as serializerEntry } from '../spec/helpers/serializers.js';
import { ECHO_PROCEDURE, median, percentileSorted, printChildReport, REALM, settle, STREAM_PROCEDURE } from './lib/common.js';
import { writeResultsSection } from './lib/results-section.js';

const self = fileURLToPath(import.meta.url);
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 2;
/** Measured runs per process, after one warm-up run, for the call and stream figures. */
const RUNS = quick ? 2 : 4;
const SEQ_CALLS = quick ? 300 : 2_000;
const WINDOW_CALLS = quick ? 1_000 : 10_000;
const IN_FLIGHT = 100;
const STREAM_RESULTS = quick ? 2_000 : 10_000;
const SETUP_ITERATIONS = quick ? 10 : 40;
const SETUP_WARMUP = 5;
/** Messages recorded per heap run (a multiple of 4: CALL, INVOCATION, YIELD, RESULT per echo call). */
const HEAP_MESSAGES = 10_000;
const HEAP_RUNS = quick ? 1 : 3;
const BIG_PAYLOAD = 'x'.repeat(1024);
const MEASURED_SERIALIZERS: readonly SerializerName[] = ['json', 'cbor'];
const MODES = ['memory', 'ws'] as const;
type Mode = (typeof MODES)[number];
const REPORT = 'IN-MEMORY-REPORT ';
const SECTION = '11. In-memory test router';
const SECTION_TITLE = `## ${SECTION} (rxwamp/testing) against the embedded router over loopback WebSocket`;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

// ---------------------------------------------------------------- one test's worth of router and clients

/** A router with a callee (bench.echo, bench.stream registered) and a caller, joined. */
interface Rig {
  readonly caller: WampClient;
  /** Messages the router has recorded so far (in memory only). */
  readonly recorded: () => number;
  close(): Promise<void>;
}

const routerSerializers = (serializer: SerializerName): (Serializer | 'json')[] => ['json', ...(serializer === 'json' ? [] : [serializerEntry(serializer)])];

/** Two joined clients of a fresh router, connected the given way: what one test sets up. */
async function openPair(mode: Mode, serializer: SerializerName): Promise<{ a: WampClient; b: WampClient; recorded: () => number; close: () => Promise<void> }> {
  const serializers = [serializerEntry(serializer)];
  if (mode === 'memory') {
    const router = createTestRouter({ serializers: routerSerializers(serializer) });
    const a = await router.client({ serializers });
    const b = await router.client({ serializers });
    return { a, b, recorded: () => router.messages.length, close: () => router.close() };
  }
  const router = new Router({ realms: [REALM], serializers: routerSerializers(serializer) });
  const { url } = await router.listen({ host: '127.0.0.1', port: 0 });
  const a = new WampClient({ url, realm: REALM, serializers });
  const b = new WampClient({ url, realm: REALM, serializers });
  await Promise.all([a.connect(), b.connect()]);
  return {
    a,
    b,
    recorded: () => 0,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await router.close();
    },
  };
}

async function openRig(mode: Mode, serializer: SerializerName): Promise<Rig> {
  const { a: callee, b: caller, recorded, close } = await openPair(mode, serializer);
  await ready(callee.register(ECHO_PROCEDURE, (args) => args[0]));
  await ready(callee.registerStream(STREAM_PROCEDURE, (args) => range(0, Number(args[0]))));
  return { caller, recorded, close };
}

const echo = (caller: WampClient, value: unknown): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    caller.call$(ECHO_PROCEDURE, [value], undefined, { receiveProgress: false }).subscribe({ error: reject, complete: resolve });
  });

// ---------------------------------------------------------------- the measurements (one process per way and serializer)

interface CallFigures {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly callsPerSec: number;
  readonly resultsPerSec: number;
}

async function sequential(caller: WampClient, calls: number): Promise<{ p50Us: number; p99Us: number }> {
  const latencies = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await echo(caller, i);
    latencies[i] = (performance.now() - started) * 1000;
  }
  latencies.sort();
  return { p50Us: percentileSorted(latencies, 50), p99Us: percentileSorted(latencies, 99) };
}

/** `calls` echo calls, IN_FLIGHT at a time (a new one starts whenever one ends); calls/s. */
async function windowed(caller: WampClient, calls: number): Promise<number> {
  let issued = 0;
  const started = performance.now();
  const lane = async () => {
    while (issued < calls) await echo(caller, issued++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return calls / ((performance.now() - started) / 1000);
}

/** One call of `results` progressive results from the registerStream callee; results/s. */
function stream(caller: WampClient, results: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let count = 0;
    const started = performance.now();
    caller.call$(STREAM_PROCEDURE, [results], undefined, { receiveProgress: true }).subscribe({
      next: (result) => {
        if (result.progress) count++;
      },
      error: reject,
      complete: () => {
        const seconds = (performance.now() - started) / 1000;
        if (count !== results) reject(new Error(`stream: ${count} of ${results} progressive results`));
        else resolve(count / seconds);
      },
    });
  });
}

/**
 * One warm-up run and RUNS measured ones, each on a fresh rig (as each test has its own
 * router), its set-up outside the timing.
 */
async function callFigures(mode: Mode, serializer: SerializerName): Promise<CallFigures[]> {
  const runs: CallFigures[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const rig = await openRig(mode, serializer);
    try {
      const { p50Us, p99Us } = await sequential(rig.caller, SEQ_CALLS);
      const callsPerSec = await windowed(rig.caller, WINDOW_CALLS);
      const resultsPerSec = await stream(rig.caller, STREAM_RESULTS);
      if (run > 0) runs.push({ p50Us, p99Us, callsPerSec, resultsPerSec });
    } finally {
      await rig.close();
    }
    await settle(50);
  }
  return runs;
}

/** ms per test for set-up (router + two joined clients) and tear-down (close it all), after a warm-up. */
async function setupFigures(mode: Mode, serializer: SerializerName): Promise<number[]> {
  const perIteration: number[] = [];
  for (let i = 0; i < SETUP_WARMUP + SETUP_ITERATIONS; i++) {
    const started = performance.now();
    const pair = await openPair(mode, serializer);
    await pair.close();
    if (i >= SETUP_WARMUP) perIteration.push(performance.now() - started);
  }
  return perIteration;
}

function heapUsedAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap growth over HEAP_MESSAGES recorded messages (echo calls of `payload`), scaled to bytes per
 * 10,000 messages. The same calls through the WebSocket router record nothing: their growth is
 * the baseline (what the router and clients keep regardless).
 */
async function heapPer10k(mode: Mode, payload: unknown): Promise<number> {
  const rig = await openRig(mode, 'json');
  try {
    for (let i = 0; i < 200; i++) await echo(rig.caller, payload);
    await settle(20);
    const before = heapUsedAfterGc();
    const recordedBefore = rig.recorded();
    const calls = HEAP_MESSAGES / 4;
    for (let i = 0; i < calls; i++) await echo(rig.caller, payload);
    await settle(20);
    const grown = heapUsedAfterGc() - before;
    if (mode === 'memory' && rig.recorded() - recordedBefore !== HEAP_MESSAGES) {
      throw new Error(`expected ${HEAP_MESSAGES} recorded messages, got ${rig.recorded() - recordedBefore}`);
    }
    return (grown / HEAP_MESSAGES) * 10_000;
  } finally {
    await rig.close();
  }
}

interface Report {
  readonly calls?: CallFigures[];
  readonly setupMs?: number[];
  readonly heap?: { small: number; big: number };
  readonly error?: string;
}

async function measure(role: string, mode: Mode, serializer: SerializerName): Promise<Report> {
  if (role === 'calls') return { calls: await callFigures(mode, serializer) };
  if (role === 'setup') return { setupMs: await setupFigures(mode, serializer) };
  return { heap: { small: await heapPer10k(mode, 1), big: await heapPer10k(mode, BIG_PAYLOAD) } };
}

// ---------------------------------------------------------------- the driver

/** Compiles this file with tsc (as bench/rawsocket.ts does) and returns its JavaScript's path. */
function compile(): string {
  const root = join(dirname(self), '..');
  const outDir = join(root, 'node_modules', '.cache', 'rxwamp-bench');
  mkdirSync(outDir, { recursive: true });
  const config = join(outDir, 'tsconfig.in-memory.json');
  writeFileSync(config, `${JSON.stringify({ extends: join(root, 'bench', 'tsconfig.json'), include: [self] }, null, 1)}\n`);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`compiling the bench with tsc failed (exit ${built.status})`);
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return join(outDir, 'bench', 'in-memory.js');
}

function runChild(script: string, role: string, mode: Mode, serializer: SerializerName): Promise<Report> {
  return new Promise<Report>((resolve) => {
    const args = ['--role', role, '--mode', mode, '--serializer', serializer, ...(quick ? ['--quick'] : [])];
    const child = spawn(process.execPath, ['--expose-gc', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let report: Report | undefined;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(REPORT)) report = JSON.parse(line.slice(REPORT.length)) as Report;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(report ?? { error: `exit code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
    });
  });
}

const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');
const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const times = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '—');
const kib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toLocaleString('en-US', { maximumFractionDigits: 0 })} KiB` : '—');

async function drive(): Promise<string> {
  const script = compile();
  const loadAtStart = os.loadavg()[0]!;
  const failures: string[] = [];
  const calls: Record<string, CallFigures[]> = {};
  const setup: Record<string, number[]> = {};
  const heap: Record<Mode, { small: number[]; big: number[] }> = { memory: { small: [], big: [] }, ws: { small: [], big: [] } };
  const cell = (mode: Mode, serializer: SerializerName) => `${mode}/${serializer}`;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const serializer of MEASURED_SERIALIZERS) {
      // The two ways alternate, and swap who goes first each round.
      for (const mode of round % 2 ? MODES : [...MODES].reverse()) {
        for (const role of ['calls', 'setup'] as const) {
          process.stderr.write(`  in-memory ${role} ${mode} ${serializer} (round ${round}/${ROUNDS})\n`);
          const report = await runChild(script, role, mode, serializer);
          if (report.error) failures.push(`${role} ${mode} ${serializer}: ${report.error}`);
          if (report.calls) (calls[cell(mode, serializer)] ??= []).push(...report.calls);
          if (report.setupMs) (setup[cell(mode, serializer)] ??= []).push(...report.setupMs);
        }
      }
    }
  }
  for (let run = 1; run <= HEAP_RUNS; run++) {
    for (const mode of MODES) {
      process.stderr.write(`  in-memory heap ${mode} (run ${run}/${HEAP_RUNS})\n`);
      const report = await runChild(script, 'heap', mode, 'json');
      if (report.error) failures.push(`heap ${mode}: ${report.error}`);
      if (report.heap) {
        heap[mode].small.push(report.heap.small);
        heap[mode].big.push(report.heap.big);
      }
    }
  }

  const callRows: string[] = [];
  const setupRows: string[] = [];
  for (const serializer of MEASURED_SERIALIZERS) {
    const of = (mode: Mode, pick: (f: CallFigures) => number) => median((calls[cell(mode, serializer)] ?? []).map(pick));
    for (const mode of MODES) {
      const label = mode === 'memory' ? 'createTestRouter (in memory)' : 'Router over ws://127.0.0.1';
      const runs = calls[cell(mode, serializer)]?.length ?? 0;
      callRows.push(
        `| ${serializer} | ${label} | ${fixed(
          of(mode, (f) => f.p50Us),
          0,
        )} | ${fixed(
          of(mode, (f) => f.p99Us),
          0,
        )} | ${int(of(mode, (f) => f.callsPerSec))} | ${int(of(mode, (f) => f.resultsPerSec))} | ${runs} |`,
      );
      const ms = setup[cell(mode, serializer)] ?? [];
      const sorted = Float64Array.from(ms).sort();
      setupRows.push(
        `| ${serializer} | ${label} | ${fixed(median(ms), 2)} | ${fixed(percentileSorted(sorted, 90), 2)} | ${int(1000 / median(ms))} | ${ms.length} |`,
      );
    }
    callRows.push(
      `| ${serializer} | memory ÷ ws | ${times(
        of('memory', (f) => f.p50Us),
        of('ws', (f) => f.p50Us),
      )} | ${times(
        of('memory', (f) => f.p99Us),
        of('ws', (f) => f.p99Us),
      )} | ${times(
        of('memory', (f) => f.callsPerSec),
        of('ws', (f) => f.callsPerSec),
      )} | ${times(
        of('memory', (f) => f.resultsPerSec),
        of('ws', (f) => f.resultsPerSec),
      )} | |`,
    );
    const setupOf = (mode: Mode) => median(setup[cell(mode, serializer)] ?? []);
    setupRows.push(`| ${serializer} | memory ÷ ws | ${times(setupOf('memory'), setupOf('ws'))} | | | |`);
  }
  const heapRow = (label: string, small: number, big: number, runs: number | string) =>
    `| ${label} | ${kib(small)} | ${int(small / 10_000)} | ${kib(big)} | ${int(big / 10_000)} | ${runs} |`;
  const heapOf = (mode: Mode) => ({ small: median(heap[mode].small), big: median(heap[mode].big) });
  const loadAtEnd = os.loadavg()[0]!;

  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  return [
    SECTION_TITLE,
    '',
    `Written by \`npx tsx bench/in-memory.ts\` (${date} UTC, node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores); \`npm run bench\` runs it after the other figures.`,
    `**Taken on this ${os.cpus().length}-core machine while other work (a full test run) may have been sharing it (load average over 1 minute: ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end): read the ratios more than the absolute figures.** On a loaded machine the p99 of a call that takes tens of µs is mostly the scheduler (a preempted call waits a time slice, a few ms); the shorter in-memory call is preempted less often.`,
    'The same rxwamp client code (`WampClient`, `call$`, `register`, `registerStream`) through `createTestRouter()` of rxwamp/testing (the router core in memory: no socket, but every message still goes through the serializer and is recorded in `router.messages`) and through the embedded `Router` of rxwamp/router listening on ws://127.0.0.1 (port 0). In both, router and clients share one process and one event loop, as in a test suite.',
    `Each (way, serializer) runs in ${ROUNDS} fresh process(es), the two ways alternating; every measured run gets a fresh router with a callee and a caller (set-up not timed), after one warm-up run per process. Figures are medians over all runs.`,
    '',
    `### Calls and progressive results (${ROUNDS * RUNS} runs per row)`,
    '',
    `*p50 / p99*: ${SEQ_CALLS.toLocaleString('en-US')} sequential calls of \`bench.echo [i]\` (a \`register\` handler returning its argument), each timed from \`call$\` to its result (nearest-rank percentiles of each run). *calls/s*: ${WINDOW_CALLS.toLocaleString('en-US')} calls, ${IN_FLIGHT} in flight. *results/s*: one call of a \`registerStream\` callee emitting \`range(0, ${STREAM_RESULTS.toLocaleString('en-US')})\`, received as progressive results, ÷ the call's wall time (in memory this includes recording ${(2 * STREAM_RESULTS).toLocaleString('en-US')} messages).`,
    '',
    '| serializer | router | p50 µs | p99 µs | calls/s (100 in flight) | progressive results/s | runs |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...callRows,
    '',
    "### One test's set-up and tear-down",
    '',
    `Per iteration: in memory, \`createTestRouter()\`, two \`await router.client()\`, \`await router.close()\`; over WebSocket, \`new Router()\`, \`await router.listen({ host: '127.0.0.1', port: 0 })\`, two \`new WampClient(…)\` + \`connect()\`, closing both clients and \`await router.close()\`. ${SETUP_WARMUP} warm-up iterations, then ${SETUP_ITERATIONS} timed, per process. This is what a suite pays per test when each test has its own router.`,
    '',
    '| serializer | router | ms per test (median) | p90 ms | tests/s | iterations |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...setupRows,
    '',
    '### Heap kept by `router.messages`',
    '',
    `\`node --expose-gc\`, JSON: after 200 warm-up calls, \`gc()\` twice and read \`heapUsed\`; make ${(HEAP_MESSAGES / 4).toLocaleString('en-US')} sequential echo calls (${HEAP_MESSAGES.toLocaleString('en-US')} messages: CALL, INVOCATION, YIELD, RESULT each), \`gc()\` twice, read \`heapUsed\` again; the growth, per ${HEAP_MESSAGES.toLocaleString('en-US')} messages. The test router keeps every message, decoded, until it is dropped (a fresh \`createTestRouter()\` per test frees them with the router); the same calls through the WebSocket router, which records nothing, give the baseline. Median of ${HEAP_RUNS} process(es).`,
    '',
    '| router | per 10,000 messages, args `[1]` | bytes / message | per 10,000 messages, args a 1 KiB string | bytes / message | runs |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    heapRow('createTestRouter (in memory)', heapOf('memory').small, heapOf('memory').big, heap.memory.small.length),
    heapRow('Router over ws://127.0.0.1 (baseline)', heapOf('ws').small, heapOf('ws').big, heap.ws.small.length),
    heapRow('**kept by `router.messages`** (difference)', heapOf('memory').small - heapOf('ws').small, heapOf('memory').big - heapOf('ws').big, ''),
    ...(failures.length ? ['', `Failures: ${failures.join('; ')}`] : []),
    '',
  ].join('\n');
}

const role = argument('role');
if (role) {
  const mode = argument('mode') as Mode;
  const serializer = argument('serializer') as SerializerName;
  await printChildReport(REPORT, () => measure(role, mode, serializer));
} else {
  const started = Date.now();
  const section = await drive();
  process.stdout.write(`${section}\n`);
  if (!quick) {
    writeResultsSection(SECTION, section);
    process.stderr.write(`wrote the "In-memory test router" section of bench/RESULTS.md in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
}
