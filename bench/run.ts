/**
 * `npm run bench`: rxwamp against the anchors (autobahn-js, wampy) and the raw-socket floor,
 * all in one run. Servers and clients each get their own process; the clients take turns, one
 * measured run at a time (two cores: one for the server side, one for the client being
 * measured). Writes
 * bench/RESULTS.md (method, tables, targets) and bench/results.json (every run), and prints
 * the tables.
 *
 *   npm run bench               full run (about 20 minutes; the duplex echo, bench/duplex.ts, last)
 *   npm run bench -- --quick    small counts, for checking the harness
 *   npm run bench -- --scale-only   only the scale study (§6), into the last full run's results
 *
 * Then bench/duplex.ts, bench/hostile-client.ts, bench/rawsocket.ts and bench/in-memory.ts, each writing its own section.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { REPORT_PREFIX, SERIALIZERS, settle, STEP_PREFIX, STEP_READY, type ClientName, type ClientReport, type ClientTask } from './lib/common.js';
import { key, renderResults, type BenchResults, type Cell, type TargetPlan } from './report.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
/** Re-runs only the scale study (§6) and renders it with the rest of the last full run's results. */
const scaleOnly = process.argv.includes('--scale-only');
const CLIENTS: readonly ClientName[] = ['floor', 'rxwamp', 'autobahn', 'wampy'];

const scale = (n: number) => (quick ? Math.max(1, Math.round(n / 20)) : n);
/**
 * Each figure is measured in `rounds` rounds; a round starts a fresh process per client, and
 * after their warm-up the clients take `runs` turns, one measured run each, floor first
 * (takeTurns). Ratios between clients are taken turn by turn, from runs made a second apart.
 */
const PLANS: readonly TargetPlan[] = [
  {
    name: 'peer',
    serializers: SERIALIZERS,
    rounds: quick ? 1 : 3,
    runs: quick ? 2 : 4,
    streamResults: scale(200_000),
    seqCalls: scale(2_000),
    windowCalls: scale(20_000),
    heap: true,
  },
  {
    name: 'embedded',
    serializers: SERIALIZERS,
    rounds: 1,
    runs: quick ? 2 : 4,
    streamResults: scale(50_000),
    seqCalls: scale(2_000),
    windowCalls: scale(10_000),
    heap: false,
  },
  {
    name: 'fox',
    serializers: ['json'],
    rounds: 1,
    runs: quick ? 2 : 4,
    streamResults: scale(50_000),
    seqCalls: scale(2_000),
    windowCalls: scale(10_000),
    heap: false,
  },
];
/** Scale study (JSON, scripted peer): streaming calls at once, ~SCALE_TOTAL results per batch. */
const SCALE_LEVELS: readonly number[] = quick ? [1, 100] : [1, 100, 10_000];
const SCALE_TOTAL = scale(100_000);
const SCALE_ROUNDS = quick ? 1 : 3;
/** Batches per client in each round of the scale study (see benchScale). */
const SCALE_RUNS = quick ? 2 : 8;
const HEAP_PENDING = 10_000;
const HEAP_RUNS = quick ? 2 : 5;
const CANCEL_ITERATIONS = quick ? 100 : 500;
const CANCEL_RUNS = quick ? 2 : 5;
const WINDOW = 1_000;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

// ---------------------------------------------------------------- processes

/**
 * The clients and servers run as JavaScript compiled by tsc, as the package ships, not through
 * tsx: tsx keeps function names by wrapping each named closure in a defineProperty call, which
 * a client's per-call callbacks then pay on every call (1.6 % of rxwamp's busy time at 10,000
 * calls at once, in bench/PROFILE.md §4), and its loader thread runs beside the measured code.
 */
function compileBench(): string {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const outDir = join(benchDir, '..', 'node_modules', '.cache', 'rxwamp-bench');
  const built = spawnSync(process.execPath, [tsc, '-p', join(benchDir, 'tsconfig.json')], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`compiling the bench with tsc failed (exit ${built.status})`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n'); // its own scope, whatever node_modules implies
  return join(outDir, 'bench');
}

const compiledDir = compileBench();
const compiled = (script: string) => join(compiledDir, script.replace(/\.ts$/, '.js'));

interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a server script and waits for its first stdout line ({url} or {unavailable}). */
async function startServer(script: string, args: string[]): Promise<Server | { unavailable: string }> {
  const child = spawn(process.execPath, [compiled(script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await new Promise<string>((resolve) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => resolve('{"unavailable":"server did not start within 20 s"}'), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(JSON.stringify({ unavailable: `server exited with code ${code}` }));
    });
  });
  const stop = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  let parsed: { url?: string; unavailable?: string };
  try {
    parsed = JSON.parse(first) as typeof parsed;
  } catch {
    parsed = { unavailable: `unexpected server output: ${first.slice(0, 200)}` };
  }
  if (parsed.url) return { url: parsed.url, stop };
  await stop();
  return { unavailable: parsed.unavailable ?? 'unknown' };
}

/** Runs one client process to completion and returns its report. */
function runClientProcess(script: string, task: ClientTask, exposeGc: boolean): Promise<ClientReport> {
  return new Promise<ClientReport>((resolve) => {
    const flags = exposeGc ? ['--expose-gc'] : [];
    const child: ChildProcess = spawn(process.execPath, [...flags, compiled(join('clients', script)), JSON.stringify(task)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), task.deadlineMs + 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
      if (line) resolve(JSON.parse(line.slice(REPORT_PREFIX.length)) as ClientReport);
      else resolve({ ok: false, error: `exit code ${code}, no report; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
    });
  });
}

// ---------------------------------------------------------------- scenarios

const results: BenchResults = {
  startedAt: new Date().toISOString(),
  durationSec: 0,
  quick,
  machine: {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
  },
  plans: PLANS.map((p) => ({ ...p })),
  heapPending: HEAP_PENDING,
  window: WINDOW,
  cancelIterations: CANCEL_ITERATIONS,
  unavailable: {},
  stream: {},
  seq: {},
  window1000: {},
  heap: {},
  cancel: {},
  scaleLevels: [...SCALE_LEVELS],
  scaleTotal: SCALE_TOTAL,
  scaleRounds: SCALE_ROUNDS,
  scaleRunsPerRound: SCALE_RUNS,
  scale: {},
};

function record<R>(into: Record<string, Cell<R>>, k: string, report: ClientReport, pick: (report: ClientReport) => R[] | undefined): void {
  const cell = into[k] ?? (into[k] = { runs: [] });
  if (!report.ok) {
    cell.error = report.error;
    log(`    ! ${k}: ${report.error}`);
    return;
  }
  cell.runs.push(...(pick(report) ?? []));
}

const streamOf = (r: ClientReport) => (r.ok && r.scenario === 'stream' ? r.runs : undefined);
const latencyOf = (r: ClientReport) => (r.ok && r.scenario === 'latency' ? r.runs : undefined);
const heapOf = (r: ClientReport) => (r.ok && r.scenario === 'heap' ? r.runs : undefined);
const scaleOf = (r: ClientReport) => (r.ok && r.scenario === 'scale' ? r.runs : undefined);
const cancelOf = (r: ClientReport) => (r.ok && r.scenario === 'cancel' ? r.runs : undefined);

async function benchTarget(plan: TargetPlan): Promise<void> {
  for (const serializer of plan.serializers) {
    const server =
      plan.name === 'peer'
        ? await startServer('servers/peer.ts', [])
        : await startServer('servers/router-host.ts', ['--router', plan.name, '--serializer', serializer]);
    if ('unavailable' in server) {
      results.unavailable[`${plan.name}/${serializer}`] = server.unavailable;
      log(`  ${plan.name} ${serializer}: not available (${server.unavailable})`);
      continue;
    }
    try {
      const base = { url: server.url, serializer, deadlineMs: 180_000, runs: plan.runs };
      const k = (client: ClientName) => key(plan.name, serializer, client);
      const scenarios: Array<{ label: string; task: ClientTask; keep: (client: ClientName, report: ClientReport) => void }> = [
        {
          label: `stream ×${plan.streamResults}`,
          task: { ...base, scenario: 'stream', results: plan.streamResults },
          keep: (c, r) => record(results.stream, k(c), r, streamOf),
        },
        {
          label: 'calls, 1 in flight',
          task: { ...base, scenario: 'latency', calls: plan.seqCalls, window: 1 },
          keep: (c, r) => record(results.seq, k(c), r, latencyOf),
        },
        {
          label: `calls, ${WINDOW} in flight`,
          task: { ...base, scenario: 'latency', calls: plan.windowCalls, window: WINDOW },
          keep: (c, r) => record(results.window1000, k(c), r, latencyOf),
        },
      ];
      for (const { label, task, keep } of scenarios) {
        for (let round = 1; round <= plan.rounds; round++) {
          log(`  ${plan.name} ${serializer}: ${label}, ${CLIENTS.join(', ')} in turn (round ${round}/${plan.rounds})`);
          for (const [client, report] of await takeTurns(task)) keep(client, report);
        }
      }
      if (plan.heap && serializer === 'json') {
        for (let round = 1; round <= HEAP_RUNS; round++) {
          for (const client of CLIENTS) {
            log(`  ${plan.name} ${serializer} ${client}: heap, ${HEAP_PENDING} pending (run ${round}/${HEAP_RUNS})`);
            record(
              results.heap,
              key(plan.name, serializer, client),
              await runClientProcess(`${client}.ts`, { ...base, scenario: 'heap', pending: HEAP_PENDING, runs: 1 }, true),
              heapOf,
            );
          }
        }
      }
    } finally {
      await server.stop();
    }
  }
}

/** A client process making its measured runs one at a time, when told (ClientTask.stepped). */
interface SteppedClient<R> {
  /** Resolves once warmed up (false: it ended first). */
  readonly ready: Promise<boolean>;
  /** Makes one measured run; undefined if the process ended instead. */
  step(): Promise<R | undefined>;
  /** Its final report, once it has made all its runs (or ended). */
  readonly report: Promise<ClientReport>;
  /** No more runs: it reports what it made and exits (a client left waiting would sit out its deadline). */
  end(): void;
}

function startSteppedClient<R>(script: string, task: ClientTask): SteppedClient<R> {
  const child = spawn(process.execPath, ['--expose-gc', compiled(join('clients', script)), JSON.stringify({ ...task, stepped: true })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.on('error', () => undefined); // a client that died first: its exit is what counts
  const timer = setTimeout(() => child.kill('SIGKILL'), task.deadlineMs + 15_000);
  let onReady: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => {
    onReady = resolve;
  });
  let onStep: ((run: R | undefined) => void) | undefined;
  let onReport: (report: ClientReport) => void = () => undefined;
  const report = new Promise<ClientReport>((resolve) => {
    onReport = resolve;
  });
  let reported: ClientReport | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === STEP_READY) onReady(true);
    else if (line.startsWith(STEP_PREFIX)) onStep?.(JSON.parse(line.slice(STEP_PREFIX.length)) as R);
    else if (line.startsWith(REPORT_PREFIX)) reported = JSON.parse(line.slice(REPORT_PREFIX.length)) as ClientReport;
  });
  child.once('exit', (code) => {
    clearTimeout(timer);
    onReady(false);
    onStep?.(undefined);
    onReport(reported ?? { ok: false, error: `exit code ${code}, no report; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
  });
  return {
    ready,
    report,
    step: () =>
      new Promise<R | undefined>((resolve) => {
        onStep = (run) => {
          onStep = undefined;
          resolve(run);
        };
        if (child.exitCode !== null || !child.stdin.writable) return onStep(undefined);
        child.stdin.write('go\n');
      }),
    end: () => {
      if (child.stdin.writable) child.stdin.end();
    },
  };
}

/** Numbers the clients' turns across the whole bench, so a turn number is never reused. */
let lastTurn = 0;

/**
 * One round of a figure: every client's process warms up, then the clients take turns, one
 * measured run each (floor first), `task.runs` times. Each run is tagged with its turn
 * (TakenInTurn), and report.ts divides runs of the same turn, taken a second apart. This
 * machine's speed changes by up to 2× within a minute (bench/PROFILE.md §4), for every process
 * alike, so a ratio of medians taken minutes apart measured the machine as much as the clients.
 * Returns each client's report, its runs replaced by the tagged ones.
 */
async function takeTurns(task: ClientTask): Promise<Map<ClientName, ClientReport>> {
  const clients = CLIENTS.map((client) => ({ client, process: startSteppedClient<{ readonly turn?: number }>(`${client}.ts`, task), runs: [] as object[] }));
  const ready = await Promise.all(clients.map((c) => c.process.ready));
  for (let i = 0; i < task.runs && ready.every(Boolean); i++) {
    const turn = ++lastTurn;
    for (const c of clients) {
      await settle(100); // the previous run's GC helper threads finish on their own time
      const run = await c.process.step();
      if (run !== undefined) c.runs.push({ ...run, turn });
    }
  }
  // Also when one client failed to start: the others stop waiting for their turn.
  for (const c of clients) c.process.end();
  const reports = new Map<ClientName, ClientReport>();
  for (const c of clients) {
    const report = await c.process.report;
    reports.set(c.client, report.ok ? ({ ...report, runs: c.runs } as ClientReport) : report);
  }
  return reports;
}

/** The scale study: per level, SCALE_ROUNDS rounds of SCALE_RUNS turns (see takeTurns). */
async function benchScale(): Promise<void> {
  const server = await startServer('servers/peer.ts', []);
  if ('unavailable' in server) {
    results.unavailable['scale'] = server.unavailable;
    return;
  }
  try {
    for (const concurrency of SCALE_LEVELS) {
      const task: ClientTask = {
        scenario: 'scale',
        url: server.url,
        serializer: 'json',
        deadlineMs: 180_000,
        runs: SCALE_RUNS,
        concurrency,
        results: Math.max(1, Math.round(SCALE_TOTAL / concurrency)),
      };
      for (let round = 1; round <= SCALE_ROUNDS; round++) {
        log(`  peer json: ${concurrency} streaming calls at once, ${CLIENTS.join(', ')} in turn (round ${round}/${SCALE_ROUNDS})`);
        for (const [client, report] of await takeTurns(task)) {
          record(results.scale, `${key('peer', 'json', client)}/${concurrency}`, report, scaleOf);
        }
      }
    }
  } finally {
    await server.stop();
  }
}

async function benchCancel(): Promise<void> {
  const server = await startServer('servers/router-host.ts', ['--router', 'embedded', '--serializer', 'json']);
  if ('unavailable' in server) {
    results.unavailable['cancel'] = server.unavailable;
    log(`  cancel: embedded router not available (${server.unavailable})`);
    return;
  }
  try {
    for (const caller of ['floor', 'rxwamp'] as const) {
      log(`  embedded json ${caller}: cancel latency ×${CANCEL_ITERATIONS}`);
      const task: ClientTask = {
        scenario: 'cancel',
        url: server.url,
        serializer: 'json',
        iterations: CANCEL_ITERATIONS,
        runs: CANCEL_RUNS,
        caller,
        deadlineMs: 60_000,
      };
      record(results.cancel, key('embedded', 'json', caller), await runClientProcess('cancel.ts', task, false), cancelOf);
    }
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- main

const started = Date.now();
log(
  `rxwamp bench${quick ? ' (quick)' : ''}${scaleOnly ? ', scale study only' : ''}: ${results.machine.cpu}, ${results.machine.cores} cores, node ${process.version}`,
);
if (scaleOnly) {
  // Everything but §6 comes from the last full run's bench/results.json.
  const last = JSON.parse(readFileSync(join(benchDir, 'results.json'), 'utf8')) as BenchResults;
  Object.assign(results, last, {
    scaleLevels: results.scaleLevels,
    scaleTotal: results.scaleTotal,
    scaleRounds: results.scaleRounds,
    scaleRunsPerRound: results.scaleRunsPerRound,
    scale: {},
    scaleRerunAt: new Date().toISOString(),
  });
  log('scale study');
  await benchScale();
} else {
  for (const plan of PLANS) {
    log(`target ${plan.name}`);
    await benchTarget(plan);
  }
  log('scale study');
  await benchScale();
  log('cancel latency');
  await benchCancel();
  results.durationSec = Math.round((Date.now() - started) / 1000);
}

// The sections other scripts write (bench/slow-consumer.ts, npm run size -- --write) stay.
const resultsPath = join(benchDir, 'RESULTS.md');
const previous = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '';
const kept =
  /^## (?:7\. Slow consumer|8\. Duplex echo|9\. Hostile client|10\. RawSocket|11\. In-memory test router|Bundle size)[^\n]*\n[\s\S]*?(?=^## |(?![\s\S]))/gm;
const markdown = (previous.match(kept) ?? []).reduce(
  (rendered, section) => rendered.replace(/^## Method/m, `${section.trimEnd()}\n\n## Method`),
  renderResults(results),
);
writeFileSync(resultsPath, markdown);
writeFileSync(join(benchDir, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
process.stdout.write(`${markdown}\n`);
log(`done in ${Math.round((Date.now() - started) / 1000)} s; wrote bench/RESULTS.md and bench/results.json`);

// The duplex echo (bench/duplex.ts, under a minute) writes its own section of RESULTS.md.
if (scaleOnly) process.exit(0);
log('duplex echo');
await new Promise<void>((resolve) => {
  spawn(process.execPath, ['--import', 'tsx', join(benchDir, 'duplex.ts'), ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'ignore', 'inherit'] }).once(
    'exit',
    () => resolve(),
  );
});

// The hostile client (bench/hostile-client.ts, under a minute) writes its own section too.
log('hostile client');
await new Promise<void>((resolve) => {
  spawn(process.execPath, ['--import', 'tsx', join(benchDir, 'hostile-client.ts'), ...(quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'ignore', 'inherit'],
  }).once('exit', () => resolve());
});

// RawSocket against WebSocket (bench/rawsocket.ts, about 2 minutes) writes its own section too.
log('rawsocket');
await new Promise<void>((resolve) => {
  spawn(process.execPath, ['--import', 'tsx', join(benchDir, 'rawsocket.ts'), ...(quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'ignore', 'inherit'],
  }).once('exit', () => resolve());
});

// rxwamp/testing's in-memory router against the embedded router over WebSocket (bench/in-memory.ts, about 2 minutes) writes its own section too.
log('in-memory test router');
await new Promise<void>((resolve) => {
  spawn(process.execPath, ['--import', 'tsx', join(benchDir, 'in-memory.ts'), ...(quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'ignore', 'inherit'],
  }).once('exit', () => resolve());
});
