/**
 * The measuring loop every client process shares, so the only thing that differs between
 * clients is the adapter: connect, one streaming call, one echo call, one call left pending.
 * The task arrives as JSON in argv[2]; the report leaves as one `BENCH-REPORT {...}` stdout line.
 */
import { createInterface } from 'node:readline';
import { getHeapStatistics } from 'node:v8';
import type { SerializerName } from '../../src/codec/index.js';
import {
  cpuMicros,
  mainThreadCpuMicros,
  nowNs,
  percentileSorted,
  REPORT_PREFIX,
  settle,
  STEP_PREFIX,
  STEP_READY,
  type ClientReport,
  type ClientTask,
  type HeapRun,
  type LatencyRun,
  type ScaleRun,
  type StreamRun,
} from '../lib/common.js';

export interface BenchAdapter {
  connect(url: string, serializer: SerializerName): Promise<void>;
  /** One CALL bench.stream [n] with progress; resolves at the final RESULT with the progressive count. */
  stream(n: number): Promise<number>;
  /** One CALL bench.echo [value]; resolves at its RESULT. */
  echo(value: number): Promise<void>;
  /** One CALL bench.swallow that never ends; the adapter keeps whatever a user would keep. */
  hold(): void;
  close(): Promise<void>;
}

/**
 * Runs `step` at least WARM_UP_STEPS times, until at least `work` units were done and
 * WARM_UP_MS have passed: a first run right after start-up is still paying for JIT tiers (it
 * measured 20–30% slower than the next one for every client), and each client needs a
 * different amount of work to settle. With 10,000 calls at once one batch was not enough:
 * V8 compiled 48 of rxwamp's functions (26 of the floor's) during the second batch and 11 (2)
 * during the third, on helper threads that process.cpuUsage() counts.
 */
const WARM_UP_MS = 300;
const WARM_UP_STEPS = 3;
async function warmUp(step: () => Promise<number>, work: number, deadline: number): Promise<void> {
  const until = Date.now() + WARM_UP_MS;
  let done = 0;
  let steps = 0;
  while ((steps < WARM_UP_STEPS || done < work || Date.now() < until) && Date.now() < deadline) {
    done += await step();
    steps++;
  }
}

/**
 * The measured runs after the warm-up: `task.runs` of them, or in stepped mode one per line
 * on stdin, each printed as it ends (see ClientTask.stepped).
 */
async function measuredRuns<R>(task: ClientTask, deadline: number, measure: () => Promise<R>): Promise<R[]> {
  const go = task.stepped ? createInterface({ input: process.stdin })[Symbol.asyncIterator]() : undefined;
  if (go) process.stdout.write(`${STEP_READY}\n`);
  const runs: R[] = [];
  for (let i = 0; i < task.runs && Date.now() < deadline; i++) {
    if (go && (await go.next()).done) break;
    const run = await measure();
    runs.push(run);
    if (go) process.stdout.write(`${STEP_PREFIX}${JSON.stringify(run)}\n`);
  }
  return runs;
}

async function streamRuns(adapter: BenchAdapter, task: ClientTask, deadline: number): Promise<StreamRun[]> {
  const n = task.results ?? 200_000;
  await warmUp(() => adapter.stream(Math.min(n, 50_000)), n, deadline);
  return measuredRuns(task, deadline, async () => {
    const cpu = process.cpuUsage();
    const t0 = nowNs();
    const results = await adapter.stream(n);
    const wallNs = nowNs() - t0;
    const cpuUs = cpuMicros(cpu);
    if (results !== n) throw new Error(`expected ${n} progressive results, got ${results}`);
    return { cpuUs, wallMs: Number(wallNs) / 1e6, results };
  });
}

/** `calls` echo calls with `window` in flight; per-call latency from its send to its RESULT. */
async function latencyRun(adapter: BenchAdapter, calls: number, window: number): Promise<LatencyRun> {
  const latencies = new Float64Array(calls);
  let started = 0;
  let done = 0;
  const t0 = nowNs();
  await new Promise<void>((resolve, reject) => {
    const launch = (): void => {
      const index = started++;
      const sentAt = nowNs();
      adapter.echo(index).then(() => {
        latencies[index] = Number(nowNs() - sentAt) / 1000;
        if (++done === calls) resolve();
        else if (started < calls) launch();
      }, reject);
    };
    for (let k = 0; k < Math.min(window, calls); k++) launch();
  });
  const seconds = Number(nowNs() - t0) / 1e9;
  latencies.sort();
  return { callsPerSec: calls / seconds, p50Us: percentileSorted(latencies, 50), p99Us: percentileSorted(latencies, 99), calls };
}

async function latencyRuns(adapter: BenchAdapter, task: ClientTask, deadline: number): Promise<LatencyRun[]> {
  const calls = task.calls ?? 10_000;
  const window = task.window ?? 1;
  await warmUp(async () => (await latencyRun(adapter, Math.min(calls, 2_000), window)).calls, calls, deadline);
  return measuredRuns(task, deadline, () => latencyRun(adapter, calls, window));
}

type Collect = (options?: { type: 'major' | 'minor' }) => void;

function collector(): Collect {
  const collect = (globalThis as { gc?: Collect }).gc;
  if (!collect) throw new Error('heap and scale scenarios need --expose-gc');
  return collect;
}

/** A full (mark-compact) GC, twice so that what the first one freed up is also collected. */
function gc(): void {
  const collect = collector();
  collect();
  collect();
}

/**
 * A young-generation GC only (a scavenge). The scale study runs one before each measured batch
 * instead of a full GC: a forced full GC resets V8's type feedback, so the code run once per
 * call (the final RESULT) deopted in every batch and the receive path was re-optimised on the
 * helper threads, a cost that grew with the size of each client's inlined receive path and
 * that no application pays (bench/PROFILE.md §5).
 */
function minorGc(): void {
  collector()({ type: 'minor' });
}

/** heapUsed growth per pending call, after a forced GC, with `pending` calls outstanding. */
async function heapRun(adapter: BenchAdapter, task: ClientTask): Promise<HeapRun> {
  const pending = task.pending ?? 10_000;
  for (let i = 0; i < 200; i++) await adapter.echo(i); // warm-up: every code path allocated once
  for (let i = 0; i < 50; i++) adapter.hold();
  await settle(50);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < pending; i++) adapter.hold();
  await settle(200); // let asynchronous senders flush their frames
  gc();
  const after = process.memoryUsage().heapUsed;
  return { bytesPerCall: (after - before) / pending, pending };
}

/**
 * The heap in use, as process.memoryUsage().heapUsed but without reading the RSS from /proc on
 * every call: sampled every 2 ms, that read cost the client with the larger heap more.
 */
function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

/**
 * Scale study: `concurrency` streaming calls at once, `results` progressive results each.
 * CPU per result over the whole batch, and the peak of heapUsed above the level after a
 * young-generation GC (sampled every 2 ms, so it includes garbage not yet collected). A full GC
 * after the warm-up clears what it left in the old generation.
 */
async function scaleRuns(adapter: BenchAdapter, task: ClientTask, deadline: number): Promise<ScaleRun[]> {
  const concurrency = task.concurrency ?? 1;
  const perCall = task.results ?? 10;
  const batch = () => Promise.all(Array.from({ length: concurrency }, () => adapter.stream(perCall))).then((counts) => counts.reduce((a, b) => a + b, 0));
  await warmUp(batch, concurrency * perCall, deadline);
  // The full GC resets type feedback (see minorGc): two more batches to learn it again.
  gc();
  for (let i = 0; i < 2 && Date.now() < deadline; i++) await batch();
  return measuredRuns(task, deadline, async (): Promise<ScaleRun> => {
    minorGc();
    const base = heapUsed();
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, heapUsed());
    }, 2);
    const cpu = process.cpuUsage();
    const mainBefore = mainThreadCpuMicros();
    const results = await batch();
    const cpuUs = cpuMicros(cpu);
    const mainAfter = mainThreadCpuMicros();
    clearInterval(sampler);
    peak = Math.max(peak, heapUsed());
    if (results !== concurrency * perCall) throw new Error(`expected ${concurrency * perCall} progressive results, got ${results}`);
    const mainThreadCpuUs = mainBefore === undefined || mainAfter === undefined ? undefined : mainAfter - mainBefore;
    return { cpuUs, mainThreadCpuUs, results, peakHeapBytes: peak - base, concurrency };
  });
}

export async function runClient(adapter: BenchAdapter): Promise<void> {
  let report: ClientReport;
  const task = JSON.parse(process.argv[2] ?? '{}') as ClientTask;
  const deadline = Date.now() + task.deadlineMs;
  const watchdog = setTimeout(() => {
    process.stdout.write(`${REPORT_PREFIX}${JSON.stringify({ ok: false, error: `deadline of ${task.deadlineMs} ms passed` })}\n`);
    process.exit(2);
  }, task.deadlineMs + 5_000);
  watchdog.unref();
  try {
    await adapter.connect(task.url, task.serializer);
    switch (task.scenario) {
      case 'stream':
        report = { ok: true, scenario: 'stream', runs: await streamRuns(adapter, task, deadline) };
        break;
      case 'latency':
        report = { ok: true, scenario: 'latency', runs: await latencyRuns(adapter, task, deadline) };
        break;
      case 'heap':
        report = { ok: true, scenario: 'heap', runs: [await heapRun(adapter, task)] };
        break;
      case 'scale':
        report = { ok: true, scenario: 'scale', runs: await scaleRuns(adapter, task, deadline) };
        break;
      default:
        report = { ok: false, error: `scenario ${task.scenario} is not run by the client driver` };
    }
  } catch (error) {
    report = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(report)}\n`);
  // Pending calls (heap) and anchors' reconnect timers must not keep us alive.
  await Promise.race([adapter.close().catch(() => undefined), settle(2_000)]);
  process.exit(0);
}
