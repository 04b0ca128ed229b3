/** Turns the collected runs into bench/RESULTS.md: machine, targets, method, one table per figure. */
import type { SerializerName } from '../src/codec/index.js';
import { median, type CancelRun, type HeapRun, type LatencyRun, type ScaleRun, type StreamRun, type TakenInTurn } from './lib/common.js';

export type TargetName = 'peer' | 'embedded' | 'fox';

export interface TargetPlan {
  readonly name: TargetName;
  readonly serializers: readonly SerializerName[];
  /** Processes per client and figure, interleaved across clients. */
  readonly rounds: number;
  /** Measured repetitions per process (after its warm-up). */
  readonly runs: number;
  readonly streamResults: number;
  readonly seqCalls: number;
  readonly windowCalls: number;
  readonly heap: boolean;
}

/** Every run of one (target, serializer, client), or why there are none. */
export interface Cell<R> {
  readonly runs: R[];
  error?: string;
}

export const key = (target: string, serializer: string, client: string): string => `${target}/${serializer}/${client}`;

export interface BenchResults {
  startedAt: string;
  durationSec: number;
  quick: boolean;
  machine: { node: string; cpu: string; cores: number; memoryGb: number; platform: string };
  plans: TargetPlan[];
  heapPending: number;
  window: number;
  cancelIterations: number;
  /** `target/serializer` (or `cancel`) → why it was skipped. */
  unavailable: Record<string, string>;
  stream: Record<string, Cell<StreamRun>>;
  seq: Record<string, Cell<LatencyRun>>;
  window1000: Record<string, Cell<LatencyRun>>;
  heap: Record<string, Cell<HeapRun>>;
  cancel: Record<string, Cell<CancelRun>>;
  /** Scale study: streaming calls at once, and the total results per batch. */
  scaleLevels: number[];
  scaleTotal: number;
  /** Processes per client in the scale study, interleaved with the other clients'. */
  scaleRounds: number;
  /** Batches per client in each round, the clients taking turns batch by batch. */
  scaleRunsPerRound?: number;
  /** When §6 was re-run alone (`npm run bench -- --scale-only`), if it was. */
  scaleRerunAt?: string;
  /** `peer/json/<client>/<concurrency>` */
  scale: Record<string, Cell<ScaleRun>>;
}

const CLIENTS = ['floor', 'rxwamp', 'autobahn', 'wampy'] as const;
const ANCHORS = ['autobahn', 'wampy'] as const;
const TARGET_TITLE: Record<TargetName, string> = {
  peer: 'scripted dealer peer (no router)',
  embedded: 'embedded rxwamp router + scripted callee',
  fox: 'fox-wamp + scripted callee (JSON only)',
};

// ---------------------------------------------------------------- figures

const runCpu = (r: StreamRun | ScaleRun) => r.cpuUs / r.results;
const runResultsPerSec = (r: StreamRun) => r.results / (r.wallMs / 1000);
const runCallsPerSec = (r: LatencyRun) => r.callsPerSec;
const cpuPerResult = (c: Cell<StreamRun | ScaleRun> | undefined) => median(c?.runs.map(runCpu) ?? []);
const resultsPerSec = (c: Cell<StreamRun> | undefined) => median(c?.runs.map(runResultsPerSec) ?? []);
const callsPerSec = (c: Cell<LatencyRun> | undefined) => median(c?.runs.map(runCallsPerSec) ?? []);

/**
 * `a` over `b`: the median, over the turns both took, of `value` of a's run divided by that of
 * b's run in the same turn (runs a second apart, at one machine speed: bench/run.ts
 * takeTurns); the ratio of the medians when no turn is shared (runs from before turns).
 */
function turnRatio<R extends TakenInTurn>(a: Cell<R> | undefined, b: Cell<R> | undefined, value: (run: R) => number): number {
  const byTurn = new Map<number, R>();
  for (const run of b?.runs ?? []) if (run.turn !== undefined) byTurn.set(run.turn, run);
  const ratios: number[] = [];
  for (const run of a?.runs ?? []) {
    const other = run.turn === undefined ? undefined : byTurn.get(run.turn);
    if (other) ratios.push(value(run) / value(other));
  }
  return ratios.length > 0 ? median(ratios) : median(a?.runs.map(value) ?? []) / median(b?.runs.map(value) ?? []);
}
const p50 = (c: Cell<LatencyRun | CancelRun> | undefined) => median(c?.runs.map((r) => r.p50Us) ?? []);
const p99 = (c: Cell<LatencyRun | CancelRun> | undefined) => median(c?.runs.map((r) => r.p99Us) ?? []);
const heapPerCall = (c: Cell<HeapRun> | undefined) => median(c?.runs.map((r) => r.bytesPerCall) ?? []);

// ---------------------------------------------------------------- formatting

function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio, e.g. from turnRatio, as "1.05×". */
const times = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '—');

function ratio(value: number, floor: number): string {
  return times(floor === 0 ? NaN : value / floor);
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (i < 2 ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

function runsNote<R>(cell: Cell<R> | undefined): string {
  if (!cell) return 'not run';
  if (cell.error) return `error: ${cell.error}`;
  return '';
}

/** Client names with a footnote marker when a cell failed. */
function clientLabel<R>(client: string, cell: Cell<R> | undefined, notes: string[]): string {
  const note = runsNote(cell);
  if (!note || (cell && cell.runs.length > 0 && !cell.error)) return client;
  notes.push(`${client}: ${note}`);
  return `${client} (${notes.length})`;
}

// ---------------------------------------------------------------- sections

function streamSection(results: BenchResults): string {
  const parts: string[] = ['## 1. Progressive results: client CPU per result and results/s', ''];
  for (const plan of results.plans) {
    const notes: string[] = [];
    const rows: string[][] = [];
    for (const serializer of plan.serializers) {
      if (results.unavailable[`${plan.name}/${serializer}`]) continue;
      const floor = results.stream[key(plan.name, serializer, 'floor')];
      for (const client of CLIENTS) {
        const cell = results.stream[key(plan.name, serializer, client)];
        rows.push([
          serializer,
          clientLabel(client, cell, notes),
          num(cpuPerResult(cell), 2),
          times(turnRatio(cell, floor, runCpu)),
          num(resultsPerSec(cell)),
          times(turnRatio(cell, floor, runResultsPerSec)),
        ]);
      }
    }
    parts.push(
      `### ${TARGET_TITLE[plan.name]}: ${num(plan.streamResults)} progressive results per call, median of ${plan.rounds * plan.runs} runs (${plan.rounds} processes × ${plan.runs})`,
      '',
    );
    parts.push(
      unavailableOr(results, plan, rows.length > 0 ? table(['serializer', 'client', 'CPU µs / result', '× floor', 'results/s', '× floor'], rows) : ''),
      ...footnotes(notes),
      '',
    );
  }
  return parts.join('\n');
}

function latencySection(results: BenchResults, which: 'seq' | 'window1000'): string {
  const title = which === 'seq' ? '## 2. Echo calls, 1 call in flight (sequential)' : `## 3. Echo calls, ${num(results.window)} calls in flight`;
  const parts: string[] = [title, ''];
  for (const plan of results.plans) {
    const notes: string[] = [];
    const rows: string[][] = [];
    for (const serializer of plan.serializers) {
      if (results.unavailable[`${plan.name}/${serializer}`]) continue;
      const floor = results[which][key(plan.name, serializer, 'floor')];
      for (const client of CLIENTS) {
        const cell = results[which][key(plan.name, serializer, client)];
        rows.push([
          serializer,
          clientLabel(client, cell, notes),
          num(callsPerSec(cell)),
          times(turnRatio(cell, floor, runCallsPerSec)),
          num(p50(cell), which === 'seq' ? 1 : 0),
          num(p99(cell), which === 'seq' ? 1 : 0),
        ]);
      }
    }
    const calls = which === 'seq' ? plan.seqCalls : plan.windowCalls;
    parts.push(
      `### ${TARGET_TITLE[plan.name]}: ${num(calls)} calls per run, median of ${plan.rounds * plan.runs} runs (${plan.rounds} processes × ${plan.runs})`,
      '',
    );
    parts.push(
      unavailableOr(results, plan, rows.length > 0 ? table(['serializer', 'client', 'calls/s', '× floor', 'p50 µs', 'p99 µs'], rows) : ''),
      ...footnotes(notes),
      '',
    );
  }
  return parts.join('\n');
}

function heapSection(results: BenchResults): string {
  const notes: string[] = [];
  const floor = results.heap[key('peer', 'json', 'floor')];
  const rows = CLIENTS.map((client) => {
    const cell = results.heap[key('peer', 'json', client)];
    return ['json', clientLabel(client, cell, notes), num(heapPerCall(cell)), ratio(heapPerCall(cell), heapPerCall(floor)), String(cell?.runs.length ?? 0)];
  });
  return [
    `## 4. Heap per pending call (${num(results.heapPending)} pending calls, forced GC, scripted peer)`,
    '',
    table(['serializer', 'client', 'bytes / pending call', '× floor', 'runs'], rows),
    ...footnotes(notes),
    '',
  ].join('\n');
}

function cancelSection(results: BenchResults): string {
  if (results.unavailable['cancel']) {
    return [
      '## 5. Cancel latency',
      '',
      `**Not measured: the embedded router was not available (${results.unavailable['cancel']}).** Re-run \`npm run bench\` once src/router has landed.`,
      '',
    ].join('\n');
  }
  const notes: string[] = [];
  const floor = results.cancel[key('embedded', 'json', 'floor')];
  const rows = (['floor', 'rxwamp'] as const).map((caller) => {
    const cell = results.cancel[key('embedded', 'json', caller)];
    return ['json', clientLabel(caller, cell, notes), num(p50(cell), 1), ratio(p50(cell), p50(floor)), num(p99(cell), 1)];
  });
  return [
    `## 5. Cancel latency through the embedded router (unsubscribe → callee teardown; ${num(results.cancelIterations)} cancels per run, median of the runs' percentiles)`,
    '',
    table(['serializer', 'caller', 'p50 µs', '× floor', 'p99 µs'], rows),
    ...footnotes(notes),
    '',
  ].join('\n');
}

const scaleMainCpu = (c: Cell<ScaleRun> | undefined) =>
  median(c?.runs.filter((r) => r.mainThreadCpuUs !== undefined).map((r) => r.mainThreadCpuUs! / r.results) ?? []);
const scaleHeapMb = (c: Cell<ScaleRun> | undefined) => median(c?.runs.map((r) => r.peakHeapBytes / 2 ** 20) ?? []);

function scaleSection(results: BenchResults): string {
  if (results.scaleLevels.length === 0) return '';
  const notes: string[] = [];
  const header = ['serializer', 'client'];
  for (const level of results.scaleLevels) header.push(`${num(level)} call${level === 1 ? '' : 's'}: µs / result`, '× floor', 'peak heap MB');
  const rows = CLIENTS.map((client) => {
    const row = ['json', client];
    for (const level of results.scaleLevels) {
      const cell = results.scale[`${key('peer', 'json', client)}/${level}`];
      const floor = results.scale[`${key('peer', 'json', 'floor')}/${level}`];
      if (cell?.error) notes.push(`${client}, ${level} calls: ${cell.error}`);
      row.push(num(cpuPerResult(cell), 2), times(turnRatio(cell, floor, runCpu)), num(scaleHeapMb(cell), 1));
    }
    return row;
  });
  // Where the CPU went at the largest level: the main thread, and the rest (V8's helper threads).
  const top = Math.max(...results.scaleLevels);
  const threadRows = CLIENTS.map((client) => {
    const cell = results.scale[`${key('peer', 'json', client)}/${top}`];
    const floor = results.scale[`${key('peer', 'json', 'floor')}/${top}`];
    const main = scaleMainCpu(cell);
    const mainFloor = scaleMainCpu(floor);
    const other = cpuPerResult(cell) - main;
    const otherFloor = cpuPerResult(floor) - mainFloor;
    return ['json', client, num(main, 2), ratio(main, mainFloor), num(other, 2), ratio(other, otherFloor)];
  });
  const threadTable = Number.isNaN(scaleMainCpu(results.scale[`${key('peer', 'json', 'floor')}/${top}`]))
    ? []
    : [
        `With ${num(top)} calls at once, the CPU per result split between the main thread (JavaScript, and the GC work done there) and the process's other threads (V8's garbage-collector helpers and compiler), medians of the same batches; Linux's per-thread counters, 10 ms resolution:`,
        '',
        table(['serializer', 'client', 'main thread µs / result', '× floor', 'other threads µs / result', '× floor'], threadRows),
        '',
      ];
  return [
    `## 6. Scale study: 1 to ${num(Math.max(...results.scaleLevels))} streaming calls at once (scripted peer, JSON)`,
    '',
    ...(results.scaleRerunAt
      ? [
          `Re-run alone (\`npm run bench -- --scale-only\`) on ${results.scaleRerunAt.replace('T', ' ').slice(0, 19)} UTC; the other sections are from the full run above.`,
          '',
        ]
      : []),
    `Each batch starts N \`bench.stream\` calls at once with ${num(results.scaleTotal)} ÷ N progressive results each and waits for all of them. ${
      results.scaleRunsPerRound
        ? `In each of ${results.scaleRounds} round${results.scaleRounds === 1 ? '' : 's'} every client runs in its own process; after warm-up the clients take turns, one batch each (floor first), ${results.scaleRunsPerRound} times. µs / result and peak heap are medians of all batches; **× floor is the median, over the batches, of each batch's CPU per result divided by that of the floor's batch run just before it**: this machine's speed drifts by up to 2× within a minute (bench/PROFILE.md §4), and batches a second apart share it.`
        : `Median of 3 batches in each of ${results.scaleRounds} processes per client, the clients interleaved round by round (after warm-up).`
    } CPU per result covers the whole batch, so with many short calls it includes each call's CALL, final RESULT and setup. Before each batch the client runs a young-generation GC, not a full one: a forced full GC resets V8's type feedback, which made each batch re-optimise the receive path (bench/PROFILE.md §5). Peak heap is the highest \`heapUsed\` (sampled every 2 ms) above the level after that GC, garbage not yet collected included.`,
    '',
    table(header, rows),
    ...footnotes(notes),
    '',
    ...threadTable,
  ].join('\n');
}

function unavailableOr(results: BenchResults, plan: TargetPlan, body: string): string {
  const skipped = plan.serializers
    .map((s) => (results.unavailable[`${plan.name}/${s}`] ? `**${s}: not available (${results.unavailable[`${plan.name}/${s}`]}).**` : ''))
    .filter(Boolean);
  return [...skipped, body].filter(Boolean).join('\n\n');
}

function footnotes(notes: string[]): string[] {
  return notes.length ? ['', ...notes.map((note, i) => `(${i + 1}) ${note}`)] : [];
}

// ---------------------------------------------------------------- targets

interface TargetRow {
  readonly target: string;
  readonly figure: string;
  readonly met: boolean | undefined;
}

export function evaluateTargets(results: BenchResults): TargetRow[] {
  const rows: TargetRow[] = [];
  const peer = results.plans.find((p) => p.name === 'peer');
  for (const serializer of peer?.serializers ?? []) {
    const rxCell = results.stream[key('peer', serializer, 'rxwamp')];
    const floorCell = results.stream[key('peer', serializer, 'floor')];
    const rx = cpuPerResult(rxCell);
    const floor = cpuPerResult(floorCell);
    const r = turnRatio(rxCell, floorCell, runCpu);
    rows.push({
      target: `CPU per progressive result ≤ 1.10× floor (${serializer})`,
      figure: `${num(rx, 3)} µs vs floor ${num(floor, 3)} µs; run by run ${times(r)}`,
      met: Number.isFinite(r) ? r <= 1.1 : undefined,
    });
  }
  for (const which of ['seq', 'window1000'] as const) {
    for (const serializer of peer?.serializers ?? []) {
      const rxCell = results[which][key('peer', serializer, 'rxwamp')];
      const rx = callsPerSec(rxCell);
      // The best anchor is the one rxwamp compares worst with, turn by turn.
      const anchors = ANCHORS.map((a) => {
        const cell = results[which][key('peer', serializer, a)];
        return { name: a, value: callsPerSec(cell), vs: turnRatio(rxCell, cell, runCallsPerSec) };
      }).filter((a) => Number.isFinite(a.value) && Number.isFinite(a.vs));
      const best = anchors.sort((a, b) => a.vs - b.vs)[0];
      rows.push({
        target: `calls/s ≥ best anchor, ${which === 'seq' ? '1' : num(results.window)} in flight (${serializer})`,
        figure: best ? `${num(rx)} vs ${best.name} ${num(best.value)}; run by run ${times(best.vs)}` : `${num(rx)} (no anchor figure)`,
        met: best ? best.vs >= 1 : undefined,
      });
    }
  }
  const heap = heapPerCall(results.heap[key('peer', 'json', 'rxwamp')]);
  rows.push({ target: 'heap per pending call ≤ 1 KB (1,024 bytes)', figure: `${num(heap)} bytes`, met: Number.isFinite(heap) ? heap <= 1024 : undefined });
  const heapAnchors = ANCHORS.map((a) => ({ name: a, value: heapPerCall(results.heap[key('peer', 'json', a)]) })).filter((a) => Number.isFinite(a.value));
  const leanest = heapAnchors.sort((a, b) => a.value - b.value)[0];
  rows.push({
    target: 'heap per pending call below the best anchor',
    figure: leanest ? `${num(heap)} vs ${leanest.name} ${num(leanest.value)} bytes (${ratio(heap, leanest.value)})` : `${num(heap)} bytes (no anchor figure)`,
    met: leanest && Number.isFinite(heap) ? heap < leanest.value : undefined,
  });
  for (const level of results.scaleLevels) {
    const rxCell = results.scale[`${key('peer', 'json', 'rxwamp')}/${level}`];
    const floorCell = results.scale[`${key('peer', 'json', 'floor')}/${level}`];
    const rx = cpuPerResult(rxCell);
    const floor = cpuPerResult(floorCell);
    const r = turnRatio(rxCell, floorCell, runCpu);
    rows.push({
      target: `CPU per result ≤ 1.10× floor with ${num(level)} streaming call${level === 1 ? '' : 's'} at once (json)`,
      figure: `${num(rx, 2)} µs vs floor ${num(floor, 2)} µs; batch by batch ${Number.isFinite(r) ? r.toFixed(2) : '—'}×`,
      met: Number.isFinite(r) ? r <= 1.1 : undefined,
    });
  }
  const cancel = p50(results.cancel[key('embedded', 'json', 'rxwamp')]);
  rows.push({
    target: 'cancel latency ≤ 2 ms p50 (embedded router, loopback)',
    figure: Number.isFinite(cancel) ? `p50 ${num(cancel, 1)} µs, p99 ${num(p99(results.cancel[key('embedded', 'json', 'rxwamp')]), 1)} µs` : 'not measured',
    met: Number.isFinite(cancel) ? cancel <= 2000 : undefined,
  });
  return rows;
}

function targetsSection(results: BenchResults): string {
  const rows = evaluateTargets(results).map((row) => [row.target, row.figure, row.met === undefined ? 'not measured' : row.met ? '**met**' : '**missed**']);
  const missed = evaluateTargets(results).filter((row) => row.met === false);
  const note = missed.length
    ? [
        `Missed: ${missed.length} of ${rows.length}. Profile findings and the changes made to src/ (with before/after figures) are in [PROFILE.md](PROFILE.md).`,
        '',
      ]
    : [];
  return [
    '## Targets (rxwamp, against the scripted peer unless stated)',
    '',
    table(['target', 'figure (medians)', 'status'], rows).replace('| --- | --- | ---: |', '| --- | --- | --- |'),
    '',
    ...note,
  ].join('\n');
}

// ---------------------------------------------------------------- method

function methodSection(results: BenchResults): string {
  const peer = results.plans.find((p) => p.name === 'peer');
  return `## Method

- **Processes.** \`bench/run.ts\` compiles the bench and rxwamp with \`tsc\` (\`bench/tsconfig.json\`, into \`node_modules/.cache/rxwamp-bench\`) and runs the JavaScript, as the package ships: tsx would wrap every named closure in a \`defineProperty\` call that the clients' per-call callbacks pay (PROFILE.md §4). It starts each server in its own process and each client in its own process (\`node <client>.js <task>\`). A client process connects and warms up: the same scenario repeated at least 3 times, until it has done at least one measured run's worth of work and 300 ms have passed (a process's first run was 20–30% slower). Each figure is taken in rounds: a round starts one process per client, and once all are warm the clients take turns, one measured run each, floor first, with 100 ms between runs; only the client whose turn it is works, so on this ${results.machine.cores}-core machine the server side has one core and the client under test the other. **Every "× floor" (and rxwamp against an anchor in the targets) is the median over the turns of the ratio of two runs made in the same turn**, a second apart: this machine's speed drifts by up to 2× within a minute (PROFILE.md §4), and a ratio of medians taken minutes apart measured the machine as much as the clients. The other columns are medians of all runs.
- **Servers.** *Scripted peer* (\`bench/servers/peer.ts\`): a WebSocket server that speaks just enough WAMP (HELLO→WELCOME announcing \`progressive_call_results\` and \`call_canceling\`, GOODBYE) and serves \`bench.stream [n]\` (n progressive RESULTs \`[50, id, {"progress": true}, [123456]]\`, then an empty final RESULT), \`bench.echo\` (RESULT with the CALL's args) and \`bench.swallow\` (never answers). The progressive frame is encoded once per call and written as pre-built WebSocket frames in 64 KB batches, waiting for \`drain\`, so the peer outruns every client and the client sets the pace. *Router targets* (\`bench/servers/router-host.ts\`): the embedded rxwamp router or fox-wamp, plus a scripted callee (bare \`ws\`, same procedures, pre-built masked YIELD frames) in the same process; callee and client use the same serializer. fox-wamp speaks JSON only.
- **Clients.** *floor*: a bare \`ws\` client that sends hand-built HELLO/CALL frames and only decodes each incoming frame with the codec rxwamp uses (\`src/codec\`: JSON.parse, cbor-x, msgpackr); to see the end of a call it reads the type, request id and \`progress\` of the decoded array and nothing else. *rxwamp*: \`client.call$()\` subscribed with a plain observer. *autobahn-js* 26 with its default when.js deferreds (progress through the third \`then\` callback); its serializers are JSON, \`cbor\` (node-cbor, asynchronous encode) and \`msgpack5\`. *wampy* 8 with \`progress_callback\`; serializers JSON, cbor-x, msgpackr. All clients use \`ws\` 8 underneath (autobahn through \`globalThis.WebSocket = ws\`). Every client does the same per-result work: count it.
- **CPU per progressive result.** One call of ${num(peer?.streamResults ?? 0)} progressive results; \`process.cpuUsage()\` (user + system) taken just before the CALL and just after the final RESULT, divided by the number of results, nothing subtracted (so it includes the \`ws\` receive path and GC). results/s is results ÷ wall time of the same call. Median of the runs; "× floor" is taken turn by turn (see Processes).
- **Calls/s and latency.** \`bench.echo [i]\` with 1 call in flight (sequential) and with ${num(results.window)} in flight (a new call starts whenever one finishes). Each call's latency runs from just before it is issued to its result (\`process.hrtime\`); p50/p99 are nearest-rank over all calls of a run; calls/s is calls ÷ wall time of the run; the figures are medians over the runs. Every client wraps each call in one Promise so the harness costs the same for all. rxwamp calls \`bench.echo\` with \`receiveProgress: false\` so every client sends the same CALL.
- **Heap per pending call.** Against the scripted peer (JSON), \`node --expose-gc\`: after a warm-up (200 echo calls, 50 pending calls), \`gc()\` twice and read \`heapUsed\`; then start ${num(results.heapPending)} calls of \`bench.swallow\`, wait 200 ms for senders to flush, \`gc()\` twice, read \`heapUsed\` again; (after − before) ÷ ${num(results.heapPending)}. The calls stay referenced the way an application would hold them (rxwamp: the Subscription; autobahn and wampy: the promise; floor: one Map entry with a callback); every client gets one shared no-op error handler (an inline \`() => undefined\` per call would add ~300 bytes under tsx's keepNames, see PROFILE.md). One process per run, median of the runs.
- **Cancel latency.** Through the embedded router (JSON), in one client process: an rxwamp \`registerStream\` callee whose stream emits one value at once and records \`process.hrtime\` in its teardown, and a caller on a second session. Each cycle: CALL with progress, wait for the first progressive result, take t0 and unsubscribe (rxwamp: CANCEL mode \`kill\`; floor: a hand-built CANCEL frame), then wait for the teardown (router → INTERRUPT → the callee unsubscribes its stream) at t1; latency = t1 − t0. ${num(results.cancelIterations)} cycles per run after 100 warm-up cycles; the tables give the median of the runs' p50 and p99. Caller and callee share one event loop, so the figure includes one hop through the router and back into the same process.
- **Targets** are checked against the scripted peer figures (no router in the way), except cancel latency, which needs a router.
`;
}

export function renderResults(results: BenchResults): string {
  const m = results.machine;
  const skipped = Object.entries(results.unavailable);
  return [
    '# rxwamp benchmarks',
    '',
    `Generated by \`npm run bench\`${results.quick ? ' --quick (reduced counts: not for quoting)' : ''} on ${results.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}; the whole run took ${results.durationSec} s.`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.platform}, Node ${m.node}.`,
    '',
    ...(skipped.length ? ['**Skipped:** ' + skipped.map(([k, why]) => `${k}: ${why}`).join('; '), ''] : []),
    targetsSection(results),
    streamSection(results),
    latencySection(results, 'seq'),
    latencySection(results, 'window1000'),
    heapSection(results),
    cancelSection(results),
    scaleSection(results),
    methodSection(results),
  ].join('\n');
}
