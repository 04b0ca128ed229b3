/**
 * Duplex echo: a caller streams N chunks (progressive call invocations) through the embedded
 * router to a callee that echoes each one at once as a progressive result, while the input is
 * still going out; the call ends when the caller's last chunk has come back as the final
 * result. rxwamp (`callStream$` → `registerDuplex(proc, input$ => input$)`) against the floor
 * (bare `ws` caller and callee with hand-built frames, only the codec's encode/decode).
 *
 *   npx tsx bench/duplex.ts            writes the "Duplex echo" section of bench/RESULTS.md (under a minute)
 *   npx tsx bench/duplex.ts --quick    small counts, prints the section only
 *
 * The router runs in its own process; caller and callee of one client kind share another, so
 * "CPU per chunk" is both ends of the duplex call (encode, send, receive, decode, dispatch, on
 * each side) divided by the chunks: one chunk's whole round trip outside the router.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, map, range } from 'rxjs';
import WebSocket, { type RawData } from 'ws';
import { cbor } from '../src/cbor.js';
import { ALL_SERIALIZERS, codecByName, type Codec, type SerializerName } from '../spec/helpers/codecs.js';
import { WampClient, ready } from '../src/index.js';
import { msgpack } from '../src/msgpack.js';
import { Router } from '../src/router/index.js';
import { cpuMicros, median, printChildReport, REALM, SERIALIZERS } from './lib/common.js';
import { writeResultsSection } from './lib/results-section.js';

type ClientKind = 'floor' | 'rxwamp';
interface DuplexRun {
  readonly cpuUs: number;
  readonly wallMs: number;
  readonly chunks: number;
}

const self = fileURLToPath(import.meta.url);
const quick = process.argv.includes('--quick');
const CHUNKS = quick ? 1_000 : 3_000;
const RUNS = quick ? 2 : 3;
const ROUNDS = quick ? 1 : 2;
const CHUNK = 'c'.repeat(256);
const PROCEDURE = 'bench.duplex.echo';
const REPORT = 'DUPLEX-REPORT ';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

// ---------------------------------------------------------------- the router process

async function runRouter(): Promise<void> {
  const router = new Router({ realms: [REALM], serializers: ALL_SERIALIZERS });
  const { url } = await router.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void router.close().then(() => process.exit(0)));
}

// ---------------------------------------------------------------- rxwamp: both ends

async function rxwampRuns(url: string, serializer: SerializerName): Promise<DuplexRun[]> {
  const entry = serializer === 'json' ? 'json' : serializer === 'cbor' ? cbor : msgpack;
  const callee = new WampClient({ url, realm: REALM, serializers: [entry] });
  const caller = new WampClient({ url, realm: REALM, serializers: [entry] });
  const registration = await ready(callee.registerDuplex(PROCEDURE, (input$) => input$));
  const once = async (): Promise<DuplexRun> => {
    let echoed = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await lastValueFrom(
      caller.callStream$(PROCEDURE, range(0, CHUNKS).pipe(map(() => CHUNK))).pipe(
        map((r) => {
          if (r.progress) echoed++;
        }),
      ),
    );
    const run = { cpuUs: cpuMicros(cpu), wallMs: performance.now() - started, chunks: echoed };
    if (echoed !== CHUNKS) throw new Error(`rxwamp: ${echoed} of ${CHUNKS} chunks came back`);
    return run;
  };
  try {
    return await measured(once);
  } finally {
    registration.unsubscribe();
    await Promise.all([caller.close(), callee.close()]);
  }
}

// ---------------------------------------------------------------- floor: both ends, bare ws

class FloorPeer {
  private readonly ws: WebSocket;
  private readonly opened: Promise<void>;
  onMessage: (message: unknown[]) => void = () => undefined;

  constructor(
    url: string,
    readonly codec: Codec,
  ) {
    this.ws = new WebSocket(url, [codec.subprotocol], { perMessageDeflate: false });
    this.opened = new Promise<void>((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data: RawData, isBinary: boolean) => {
      const buffer = data as Buffer;
      this.onMessage(this.codec.decode(isBinary ? buffer : buffer.toString()) as unknown[]);
    });
  }

  async join(roles: Record<string, unknown>): Promise<void> {
    await this.opened;
    await this.request([1, REALM, { roles }], 2);
  }

  /** Sends a frame and resolves with the first answer of type `type`. */
  request(frame: unknown[], type: number): Promise<unknown[]> {
    return new Promise((resolve) => {
      this.onMessage = (message) => {
        if (message[0] === type) resolve(message);
      };
      this.send(frame);
    });
  }

  send(frame: unknown[]): void {
    this.ws.send(this.codec.encode(frame));
  }

  close(): void {
    this.ws.close();
  }
}

async function floorRuns(url: string, serializer: SerializerName): Promise<DuplexRun[]> {
  const codec = codecByName(serializer);
  const callee = new FloorPeer(url, codec);
  const caller = new FloorPeer(url, codec);
  const features = { features: { progressive_call_results: true, progressive_call_invocations: true, call_canceling: true } };
  await callee.join({ callee: features });
  await caller.join({ caller: features });
  await callee.request([64, 1, {}, PROCEDURE], 65);
  // The callee echoes every chunk at once; the last chunk (no progress) ends the invocation.
  callee.onMessage = (message) => {
    if (message[0] !== 68) return;
    const more = (message[3] as { progress?: boolean }).progress === true;
    if (more) callee.send([70, message[1], { progress: true }, message[4]]);
    else callee.send([70, message[1], {}]);
  };
  let requestId = 0;
  const once = (): Promise<DuplexRun> =>
    new Promise((resolve, reject) => {
      const id = ++requestId;
      let echoed = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      caller.onMessage = (message) => {
        if (message[0] !== 50 || message[1] !== id) return reject(new Error(`floor: unexpected ${JSON.stringify(message).slice(0, 80)}`));
        if ((message[2] as { progress?: boolean }).progress === true) return void echoed++;
        if (echoed !== CHUNKS) return reject(new Error(`floor: ${echoed} of ${CHUNKS} chunks came back`));
        resolve({ cpuUs: cpuMicros(cpu), wallMs: performance.now() - started, chunks: echoed });
      };
      caller.send([48, id, { receive_progress: true, progress: true }, PROCEDURE, [CHUNK]]);
      for (let i = 1; i < CHUNKS; i++) caller.send([48, id, { progress: true }, PROCEDURE, [CHUNK]]);
      caller.send([48, id, {}, PROCEDURE]);
    });
  try {
    return await measured(once);
  } finally {
    caller.close();
    callee.close();
  }
}

/** One warm-up run, then RUNS measured ones. */
async function measured(once: () => Promise<DuplexRun>): Promise<DuplexRun[]> {
  await once();
  const runs: DuplexRun[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  return runs;
}

// ---------------------------------------------------------------- the driver

function child(args: string[]): { lines: AsyncIterableIterator<string>; stdin: NodeJS.WritableStream; exited: Promise<void> } {
  const process_ = spawn(process.execPath, ['--import', 'tsx', self, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => process_.once('exit', () => resolve()));
  return { lines: createInterface({ input: process_.stdout })[Symbol.asyncIterator](), stdin: process_.stdin, exited };
}

async function drive(): Promise<string> {
  const router = child(['--role', 'router']);
  const { url } = JSON.parse((await router.lines.next()).value as string) as { url: string };
  const rows: string[] = [];
  try {
    for (const serializer of SERIALIZERS) {
      // Rounds alternate the clients, each in a fresh process, so drift on a shared machine hits both.
      const collected: Record<ClientKind, DuplexRun[]> = { floor: [], rxwamp: [] };
      const failures: string[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        for (const kind of ['floor', 'rxwamp'] as const satisfies readonly ClientKind[]) {
          process.stderr.write(`  duplex ${serializer} ${kind}: ${CHUNKS} chunks × ${RUNS} runs (round ${round}/${ROUNDS})\n`);
          const client = child(['--role', kind, '--url', url, '--serializer', serializer]);
          for await (const line of client.lines) {
            if (!line.startsWith(REPORT)) continue;
            const report = JSON.parse(line.slice(REPORT.length)) as { runs?: DuplexRun[]; error?: string };
            if (report.runs) collected[kind].push(...report.runs);
            else failures.push(`${kind}: ${report.error ?? 'no report'}`);
          }
          await client.exited;
        }
      }
      const figures = (runs: DuplexRun[]) => ({
        cpu: median(runs.map((r) => r.cpuUs / r.chunks)),
        rate: median(runs.map((r) => r.chunks / (r.wallMs / 1000))),
        wall: median(runs.map((r) => r.wallMs)),
      });
      const floor = figures(collected.floor);
      for (const kind of ['floor', 'rxwamp'] as const) {
        const runs = collected[kind];
        if (runs.length === 0) {
          rows.push(`| ${serializer} | ${kind} | failed: ${failures.join('; ')} | | | |`);
          continue;
        }
        const { cpu, rate, wall } = figures(runs);
        const ratio = Number.isFinite(floor.cpu) ? `${(cpu / floor.cpu).toFixed(2)}×` : '–';
        rows.push(`| ${serializer} | ${kind} | ${Math.round(rate).toLocaleString('en-US')} | ${cpu.toFixed(1)} | ${ratio} | ${wall.toFixed(0)} |`);
      }
    }
  } finally {
    router.stdin.end();
    await router.exited;
  }
  return [
    SECTION_TITLE,
    '',
    `Written by \`npx tsx bench/duplex.ts\` (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores); \`npm run bench\` runs it after the other figures.`,
    `One call streams ${CHUNKS.toLocaleString('en-US')} chunks of ${CHUNK.length} characters (progressive call invocations) through the embedded router (its own process) to a callee that echoes each one at once as a progressive result while the input is still going out; the last chunk comes back as the final result.`,
    "Caller and callee of one kind share one process: *CPU per chunk* is that process's CPU (user + system) from the first CALL to the final RESULT ÷ chunks, so both ends of the call (encode, send, receive, decode, dispatch, on each side).",
    "*rxwamp*: `callStream$(proc, range(…))` and `registerDuplex(proc, input$ => input$)`. *floor*: bare `ws` caller and callee sending hand-built frames (the codec's encode and decode only, no WAMP logic).",
    `Each client runs in ${ROUNDS} fresh process(es), alternating with the other; each process does one warm-up call, then ${RUNS} measured ones; the figures are medians of all ${ROUNDS * RUNS} measured calls.`,
    '',
    '| serializer | client | chunks/s | CPU µs per chunk | × floor | ms per call |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

const SECTION_TITLE = '## 8. Duplex echo: progressive call invocations echoed as progressive results';

const role = argument('role');
if (role === 'router') {
  await runRouter();
} else if (role === 'floor' || role === 'rxwamp') {
  const serializer = argument('serializer') as SerializerName;
  await printChildReport(REPORT, async () => ({
    runs: role === 'floor' ? await floorRuns(argument('url')!, serializer) : await rxwampRuns(argument('url')!, serializer),
  }));
} else {
  const started = Date.now();
  const section = await drive();
  process.stdout.write(`${section}\n`);
  if (!quick) {
    writeResultsSection('8. Duplex echo', section);
    process.stderr.write(`wrote the "Duplex echo" section of bench/RESULTS.md in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
}
