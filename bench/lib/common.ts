import { readFileSync } from 'node:fs';
/**
 * Shared by the bench orchestrator, the peers and the client processes: the procedures the
 * peers serve, the wire frames they pre-encode, the message a client process reports, and
 * small statistics helpers.
 */
import type { SerializerName } from '../../src/codec/index.js';

/** Answers `[n]` with n progressive RESULTs `[0]`, then an empty final RESULT. */
export const STREAM_PROCEDURE = 'bench.stream';
/** Answers with a RESULT carrying the CALL's args. */
export const ECHO_PROCEDURE = 'bench.echo';
/** Never answers (heap per pending call). */
export const SWALLOW_PROCEDURE = 'bench.swallow';
export const REALM = 'realm1';

/** The payload of every progressive result: small, fixed, the same for every client. */
export const PROGRESS_ARGS: readonly unknown[] = [123456];

export const SERIALIZERS: readonly SerializerName[] = ['json', 'cbor', 'msgpack'];

export type ClientName = 'floor' | 'rxwamp' | 'autobahn' | 'wampy';
export type ScenarioName = 'stream' | 'latency' | 'heap' | 'cancel' | 'scale';
/** Answers with one progressive result at once, then nothing until cancelled (cancel latency). */
export const CANCEL_PROCEDURE = 'bench.cancel';

/** What the orchestrator passes a client process (as one JSON argv element). */
export interface ClientTask {
  readonly scenario: ScenarioName;
  readonly url: string;
  readonly serializer: SerializerName;
  /** stream: progressive results per call. */
  readonly results?: number;
  /** latency: calls per run and calls in flight. */
  readonly calls?: number;
  readonly window?: number;
  /** heap: calls left pending. */
  readonly pending?: number;
  /** scale: streaming calls running at once (each with `results` progressive results). */
  readonly concurrency?: number;
  /**
   * stream, latency, scale: after warm-up print STEP_READY, then make one measured run per line
   * read from stdin and print it as a STEP_PREFIX line, so an orchestrator can have the
   * clients take turns run by run.
   */
  readonly stepped?: boolean;
  /** cancel: call/cancel cycles per run, and who calls (the callee is always rxwamp). */
  readonly iterations?: number;
  readonly caller?: 'floor' | 'rxwamp';
  /** measured repetitions inside this process (after one warm-up). */
  readonly runs: number;
  /** give up after this many ms (the orchestrator also kills the process later). */
  readonly deadlineMs: number;
}

/**
 * The clients' turn a run was measured in (stepped runs, see bench/run.ts takeTurns): runs of
 * the same turn ran back to back, one per client, so their ratio is taken at one machine speed.
 */
export interface TakenInTurn {
  readonly turn?: number;
}
export interface StreamRun extends TakenInTurn {
  readonly cpuUs: number;
  readonly wallMs: number;
  readonly results: number;
}
export interface LatencyRun extends TakenInTurn {
  readonly callsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly calls: number;
}
export interface HeapRun {
  readonly bytesPerCall: number;
  readonly pending: number;
}
export interface ScaleRun extends TakenInTurn {
  readonly cpuUs: number;
  /** The part of cpuUs spent on the main (JavaScript) thread; the rest is V8's helper threads (GC, compiler). Linux only. */
  readonly mainThreadCpuUs?: number;
  readonly results: number;
  readonly peakHeapBytes: number;
  readonly concurrency: number;
}
export interface CancelRun {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly iterations: number;
}

/** The one JSON line a client process prints on stdout. */
export type ClientReport =
  | { readonly ok: true; readonly scenario: 'stream'; readonly runs: StreamRun[] }
  | { readonly ok: true; readonly scenario: 'latency'; readonly runs: LatencyRun[] }
  | { readonly ok: true; readonly scenario: 'heap'; readonly runs: HeapRun[] }
  | { readonly ok: true; readonly scenario: 'cancel'; readonly runs: CancelRun[] }
  | { readonly ok: true; readonly scenario: 'scale'; readonly runs: ScaleRun[] }
  | { readonly ok: false; readonly error: string };

export const REPORT_PREFIX = 'BENCH-REPORT ';

/** In a measuring child process: prints its one report line (`prefix` + JSON, or the error as `{ error }`), then exits. */
export async function printChildReport(prefix: string, work: () => Promise<object>): Promise<never> {
  try {
    process.stdout.write(`${prefix}${JSON.stringify(await work())}\n`);
  } catch (error) {
    process.stdout.write(`${prefix}${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
  }
  process.exit(0);
}
export const STEP_READY = 'BENCH-READY';
export const STEP_PREFIX = 'BENCH-STEP ';

/**
 * The shared no-op error handler for calls left pending. Shared on purpose: tsx (esbuild with
 * keepNames) wraps an inline `() => undefined` in `__name(...)`, which gives every such closure
 * its own property store (about 300 bytes per call), and that would be counted as the client's
 * heap per pending call.
 */
export const ignoreError = (): void => undefined;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile of already sorted values. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

/**
 * CPU time of the calling (main) thread in µs, from /proc (Linux; undefined elsewhere), at the
 * kernel's 10 ms tick. process.cpuUsage() counts every thread of the process, V8's
 * garbage-collector helpers included; this tells the two apart.
 */
export function mainThreadCpuMicros(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, in ticks of 10 ms
  } catch {
    return undefined;
  }
}

export const settle = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function nowNs(): bigint {
  return process.hrtime.bigint();
}
