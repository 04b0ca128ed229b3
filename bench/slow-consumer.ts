/**
 * Slow-consumer bench (issue #10): memory of caller, callee and router while an rxwamp callee
 * streams up to 1,000,000 small progressive results to a caller that cannot keep up.
 *
 *   npx tsx bench/slow-consumer.ts            both scenarios (about 100 s); writes its section of bench/RESULTS.md
 *   npx tsx bench/slow-consumer.ts --quick    short bounds, for checking the harness (writes nothing)
 *   npx tsx bench/slow-consumer.ts --subscriber-only   the stalled-subscriber run alone, printed only
 *   npx tsx bench/slow-consumer.ts --router-module <path/to/router/index.ts> --stalled-only
 *                                             another router build (e.g. a worktree of an older commit), printed only
 *
 * Three processes, each sampling its own RSS every 500 ms: the embedded router (src/router,
 * defaults), the callee (WampClient, JSON, `registerStream` of an async generator that yields
 * `[i, <100 chars>]` up to 1,000,000 times, counting its pulls) and the caller (a bare `ws`
 * client speaking WAMP JSON). Scenarios:
 * - slow: the caller handles one result per ms (a 1 ms timer), queueing what arrives and
 *   pausing its socket while more than 1,000 wait; stopped after 60 s.
 * - stalled: the caller stops reading right after its CALL; stopped after 30 s.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { writeResultsSection } from './lib/results-section.js';

const PROCEDURE = 'bench.slow';
const REALM = 'realm1';
const TOTAL = 1_000_000;
const FILLER = 'x'.repeat(100);
const SAMPLE_MS = 500;
const quick = process.argv.includes('--quick');

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

/**
 * One JSON line on stdout per sample: {t, rss, live, count}. `live` is what the process really
 * holds: heapUsed right after a full GC (when started with --expose-gc) plus the ArrayBuffers
 * outside the heap (ws's frames). RSS also counts what V8 keeps reserved for its young
 * generation and allocator, which grows with traffic whether or not anything is held.
 */
function sampleEvery(count: () => number): void {
  const start = Date.now();
  const collect = (globalThis as { gc?: () => void }).gc;
  const sample = () => {
    collect?.();
    const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ t: Date.now() - start, rss, live: collect ? heapUsed + arrayBuffers : undefined, count: count() })}\n`);
  };
  sample();
  setInterval(sample, SAMPLE_MS);
}

async function runRouter(): Promise<void> {
  const modulePath = argument('router-module');
  const { Router } = (modulePath ? await import(modulePath) : await import('../src/router/index.js')) as typeof import('../src/router/index.js');
  const router = new Router({ realms: [REALM] });
  const { url } = await router.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  sampleEvery(() => router.sessionCount(REALM));
}

async function runCallee(url: string): Promise<void> {
  const { WampClient } = await import('../src/index.js');
  let pulls = 0;
  const client = new WampClient({ url, realm: REALM, serializers: ['json'] });
  await new Promise<void>((resolve, reject) => {
    client
      .registerStream(PROCEDURE, async function* () {
        for (let i = 0; i < TOTAL; i++) {
          pulls++;
          yield [i, FILLER];
        }
      })
      .subscribe({ next: () => resolve(), error: reject });
  });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  sampleEvery(() => pulls);
}

function runCaller(url: string, mode: 'slow' | 'stalled' | 'fast'): void {
  const ws = new WebSocket(url, ['wamp.2.json'], { perMessageDeflate: false });
  const queue: string[] = [];
  let handled = 0;
  let expected = 0;
  let disordered = 0;
  ws.on('open', () => {
    ws.send(JSON.stringify([1, REALM, { roles: { caller: { features: { progressive_call_results: true, call_canceling: true } } } }]));
  });
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.startsWith('[2,')) {
      ws.send(JSON.stringify([48, 1, { receive_progress: true }, PROCEDURE]));
      if (mode === 'stalled') ws.pause();
      else if (mode === 'slow') setInterval(handleOne, 1);
      sampleEvery(() => handled);
      return;
    }
    queue.push(text);
    if (mode === 'fast') return handleOne();
    if (queue.length > 1000 && !ws.isPaused) ws.pause();
  });
  const handleOne = () => {
    const text = queue.shift();
    if (text === undefined) return;
    const message = JSON.parse(text) as [number, number, Record<string, unknown>, unknown[]?];
    if (message[0] === 50 && message[2]['progress'] === true) {
      if ((message[3]![0] as number[])[0] !== expected) disordered++;
      expected++;
      handled++;
    }
    if (queue.length < 100 && ws.isPaused) ws.resume();
    if (disordered) process.stderr.write(`out of order at ${expected}\n`);
  };
}

const TOPIC = 'bench.flood';

/** Publishes `[i, <100 chars>]` to TOPIC as fast as its own socket takes them (≤ 256 KiB queued). */
function runPublisher(url: string): void {
  const ws = new WebSocket(url, ['wamp.2.json'], { perMessageDeflate: false });
  let published = 0;
  const flood = () => {
    // At most 1,000 a turn, so the event loop (and the RSS samples) still run.
    for (let i = 0; i < 1000 && ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 256 * 1024; i++) {
      published++;
      ws.send(JSON.stringify([16, published, {}, TOPIC, [published, FILLER]]));
    }
    if (ws.readyState === WebSocket.OPEN) setTimeout(flood, 1);
  };
  ws.on('open', () => ws.send(JSON.stringify([1, REALM, { roles: { publisher: {} } }])));
  ws.on('message', (data) => {
    if (!data.toString().startsWith('[2,')) return;
    sampleEvery(() => published);
    flood();
  });
}

/** Subscribes to TOPIC and stops reading once subscribed (it cannot see its own drop then). */
function runStalledSubscriber(url: string): void {
  const ws = new WebSocket(url, ['wamp.2.json'], { perMessageDeflate: false });
  ws.on('open', () => ws.send(JSON.stringify([1, REALM, { roles: { subscriber: {} } }])));
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.startsWith('[2,')) ws.send(JSON.stringify([32, 1, {}, TOPIC]));
    else if (text.startsWith('[33,')) {
      ws.pause();
      // A paused socket no longer keeps the event loop alive: this process must stay.
      setInterval(() => undefined, 1000);
      process.stdout.write(`${JSON.stringify({ subscribed: true })}\n`);
    }
  });
}

// ---------------------------------------------------------------- orchestrator

interface Sample {
  readonly t: number;
  readonly rss: number;
  readonly live?: number;
  readonly count: number;
}
type Role = 'router' | 'callee' | 'caller';
type Mode = 'slow' | 'stalled' | 'fast';
interface ScenarioFigures {
  readonly mode: string;
  readonly seconds: number;
  readonly samples: Record<Role, Sample[]>;
}
/** The stalled-subscriber run: publisher in the callee's columns, the subscriber's drop time. */
interface SubscriberFigures extends ScenarioFigures {
  readonly droppedAfterMs?: number;
}

const self = fileURLToPath(import.meta.url);
const routerModule = argument('router-module');

function child(args: string[], samples: Sample[], onFirst?: (line: Record<string, unknown>) => void, flags: string[] = []) {
  const proc = spawn(process.execPath, [...flags, '--import', 'tsx', self, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  lines.on('line', (line) => {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if ('rss' in parsed) samples.push(parsed as unknown as Sample);
    else onFirst?.(parsed);
  });
  return proc;
}

/** The router process; `--expose-gc` so its samples carry the live heap. */
async function startRouter(samples: Sample[]): Promise<{ proc: ReturnType<typeof child>; url: string }> {
  return new Promise((resolve) => {
    const proc = child(
      ['--role', 'router', ...(routerModule ? ['--router-module', routerModule] : [])],
      samples,
      (line) => resolve({ proc, url: String(line['url']) }),
      ['--expose-gc'],
    );
  });
}

async function scenario(mode: Mode, seconds: number): Promise<ScenarioFigures> {
  const samples: Record<Role, Sample[]> = { router: [], callee: [], caller: [] };
  const { proc: router, url: routerUrl } = await startRouter(samples.router);
  const callee = await new Promise<ReturnType<typeof child>>((resolve) => {
    const proc = child(['--role', 'callee', '--url', routerUrl], samples.callee, () => resolve(proc));
  });
  const caller = child(['--role', 'caller', '--url', routerUrl, '--mode', mode], samples.caller);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  for (const proc of [caller, callee, router]) proc.kill('SIGKILL');
  return { mode, seconds, samples };
}

/**
 * A publisher floods a topic whose only subscriber stopped reading: the router holds the
 * subscriber's backlog up to its high-water mark, stops reading the publisher, and drops the
 * subscriber after stalledPeerTimeoutMs (30 s) without write progress. The publisher's rows
 * stand in the callee's place ("pulled" = published).
 */
async function subscriberScenario(seconds: number): Promise<SubscriberFigures> {
  const samples: Record<Role, Sample[]> = { router: [], callee: [], caller: [] };
  const { proc: router, url } = await startRouter(samples.router);
  const procs: Array<ReturnType<typeof child>> = [router];
  const subscribed = new Promise<void>((resolve) => {
    const proc = child(['--role', 'subscriber', '--url', url], [], () => resolve());
    procs.push(proc);
  });
  await subscribed;
  procs.push(child(['--role', 'publisher', '--url', url], samples.callee));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  for (const proc of procs) proc.kill('SIGKILL');
  // A subscriber that does not read cannot see its close frame: the router's session count
  // (subscriber + publisher = 2) tells when it was dropped.
  const joined = samples.router.find((sample) => sample.count === 2);
  const left = joined && samples.router.find((sample) => sample.t > joined.t && sample.count < 2);
  return { mode: 'stalled subscriber', seconds, samples, droppedAfterMs: joined && left ? left.t - joined.t : undefined };
}

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
const num = (n: number) => n.toLocaleString('en-US');

function summarize(figures: ScenarioFigures): string[] {
  const rows: string[] = [];
  for (const role of ['caller', 'callee', 'router'] as const) {
    const samples = figures.samples[role];
    if (samples.length === 0) continue;
    const start = samples[0]!.rss;
    const peak = Math.max(...samples.map((s) => s.rss));
    const end = samples.at(-1)!;
    const count =
      role === 'caller'
        ? `${num(end.count)} handled`
        : role === 'callee'
          ? `${num(end.count)} ${figures.mode === 'stalled subscriber' ? 'published' : 'pulled'}`
          : '';
    const live = samples.map((s) => s.live).filter((l): l is number => l !== undefined);
    const liveCells = live.length > 0 ? `${mb(live[0]!)} | +${mb(Math.max(...live) - live[0]!)}` : '– | –';
    rows.push(`| ${figures.mode} | ${role} | ${mb(start)} | ${mb(peak)} | +${mb(peak - start)} | ${mb(end.rss)} | ${liveCells} | ${count} |`);
  }
  return rows;
}

function timeline(figures: ScenarioFigures): string[] {
  const at = (role: Role, t: number) => {
    const sample = figures.samples[role].filter((s) => s.t <= t).at(-1);
    return sample ? mb(sample.rss) : '–';
  };
  const count = (role: Role, t: number) => num(figures.samples[role].filter((s) => s.t <= t).at(-1)?.count ?? 0);
  const rows: string[] = [];
  const step = figures.seconds >= 40 ? 10 : 5;
  for (let s = step; s <= figures.seconds; s += step) {
    const t = s * 1000 - 600;
    rows.push(`| ${figures.mode} | ${s} | ${at('caller', t)} | ${at('callee', t)} | ${at('router', t)} | ${count('caller', t)} | ${count('callee', t)} |`);
  }
  return rows;
}

function floodTimeline(figures: SubscriberFigures): string[] {
  const last = (role: Role, t: number) => figures.samples[role].filter((s) => s.t <= t).at(-1);
  const rows: string[] = [];
  for (let s = 5; s <= figures.seconds; s += 5) {
    const router = last('router', s * 1000 - 600);
    const publisher = last('callee', s * 1000 - 600);
    rows.push(
      `| stalled subscriber | ${s} | ${router ? mb(router.rss) : '–'} | ${router?.live !== undefined ? mb(router.live) : '–'} | ${num(publisher?.count ?? 0)} |`,
    );
  }
  return rows;
}

const SECTION_TITLE = '## 7. Slow consumer: memory while a callee streams to a caller that cannot keep up';

function renderSection(runs: ScenarioFigures[], flood?: SubscriberFigures): string {
  return [
    SECTION_TITLE,
    '',
    `Written by \`npx tsx bench/slow-consumer.ts\` (${new Date().toISOString().slice(0, 10)}, node ${process.version}); \`npm run bench\` keeps this section.`,
    'Three processes: the embedded router (defaults: flowHighWaterMark 1 MiB, flowLowWaterMark 256 KiB, maxBufferedBytes 64 MiB),',
    `an rxwamp callee (JSON) whose \`registerStream\` async generator yields \`[i, <100 chars>]\` up to ${num(TOTAL)} times, and a bare \`ws\` caller.`,
    '*slow*: the caller handles one result per ms (queueing what arrives, pausing its socket over 1,000 queued), for 60 s. *stalled*: the caller stops reading right after its CALL, for 30 s.',
    '*fast*: the same stream to a caller that handles each result at once, for 20 s: the control run, nothing held anywhere.',
    '*stalled subscriber*: a bare `ws` publisher floods a topic (as fast as its own socket takes it) whose only subscriber stopped reading right after SUBSCRIBED, for 45 s.',
    'RSS in MiB, sampled every 500 ms in each process. *live* (router only): heapUsed right after a forced full GC plus ArrayBuffers (ws frames), the memory the router really holds;',
    'RSS also counts what V8 keeps reserved for its young generation and allocator, which grows with traffic alone (see the *fast* run).',
    '',
    '| scenario | process | RSS at start | peak | growth | at end | live at start | live growth (peak) | progress at end |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.flatMap(summarize),
    ...(flood ? summarize(flood) : []),
    '',
    '| scenario | s | caller RSS | callee RSS | router RSS | results handled | generator pulls |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.flatMap(timeline),
    '',
    ...(flood
      ? [
          '| stalled subscriber | s | router RSS | router live | events published |',
          '| --- | ---: | ---: | ---: | ---: |',
          ...floodTimeline(flood),
          '',
          flood.droppedAfterMs !== undefined
            ? `The router dropped the stalled subscriber about ${(flood.droppedAfterMs / 1000).toFixed(1)} s after the publisher joined (seen as the router's session count falling from 2 to 1).`
            : 'The stalled subscriber was **not** dropped within the run.',
          '',
        ]
      : []),
  ].join('\n');
}

const role = argument('role');
if (role === 'router') await runRouter();
else if (role === 'callee') await runCallee(argument('url')!);
else if (role === 'caller') runCaller(argument('url')!, argument('mode') as Mode);
else if (role === 'publisher') runPublisher(argument('url')!);
else if (role === 'subscriber') runStalledSubscriber(argument('url')!);
else if (process.argv[1] === self) {
  const stalledOnly = process.argv.includes('--stalled-only');
  const subscriberOnly = process.argv.includes('--subscriber-only');
  const runs =
    stalledOnly || subscriberOnly
      ? subscriberOnly
        ? []
        : [await scenario('stalled', quick ? 10 : 30)]
      : [await scenario('slow', quick ? 10 : 60), await scenario('stalled', quick ? 10 : 30), await scenario('fast', quick ? 5 : 20)];
  const flood = stalledOnly && !subscriberOnly ? undefined : await subscriberScenario(quick ? 10 : 45);
  const section = renderSection(runs, flood);
  process.stdout.write(`${section}\n`);
  if (!quick && !stalledOnly && !subscriberOnly && !routerModule) {
    writeResultsSection('7. Slow consumer', section);
    process.stderr.write('wrote the "Slow consumer" section of bench/RESULTS.md\n');
  }
}
