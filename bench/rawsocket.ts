/**
 * RawSocket against WebSocket: client CPU per progressive result, rxwamp over WAMP-RawSocket
 * (`transports: [rawSocket]`, `rs://`) beside rxwamp over WebSocket and the bare-`ws` floor,
 * per serializer, in the same run. The method is §1's (bench/run.ts, scripted dealer peer):
 * the same client driver (bench/clients/driver.ts), the same floor (bench/clients/floor.ts),
 * the same WebSocket peer (bench/servers/peer.ts), and a RawSocket peer written here that
 * plays the same dealer (bench/servers/dealer.ts) over TCP, streaming the same pre-encoded RESULTs in 64 KiB batches
 * (bench/lib/ws-frames.ts `blast`). A fourth column, the RawSocket floor, is a bare `net`
 * client that only splits frames and decodes them, as the WebSocket floor does.
 *
 *   npx tsx bench/rawsocket.ts            writes the "RawSocket" section of bench/RESULTS.md (about 2 minutes)
 *   npx tsx bench/rawsocket.ts --quick    small counts, prints the section only
 *
 * Each peer runs in its own process and each client in its own (one core for the peer, one for
 * the client being measured). The clients take turns, one measured run each, so the ratios are
 * taken run by run a second apart (bench/run.ts takeTurns explains why). Like bench/run.ts,
 * everything measured runs as JavaScript compiled by tsc, not through tsx.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { rawSocket } from '../src/rawsocket.js';
import {
  encodeFrameHeader,
  encodeHandshake,
  FRAME_HEADER_LENGTH,
  FrameDecoder,
  FrameType,
  HANDSHAKE_LENGTH,
  MAX_FRAME_PAYLOAD,
  RawSocketSerializerId,
  serializerNameOf,
} from '../src/transport/rawsocket-framing.js';
import { codecByName, type Codec, type SerializerName } from '../spec/helpers/codecs.js';
import { runClient } from './clients/driver.js';
import { FloorCalls } from './clients/floor-calls.js';
import { RxwampAdapter } from './clients/rxwamp-adapter.js';
import { median, REPORT_PREFIX, SERIALIZERS, settle, STEP_PREFIX, STEP_READY, type ClientTask, type StreamRun } from './lib/common.js';
import { writeResultsSection } from './lib/results-section.js';
import { Dealer } from './servers/dealer.js';

const self = fileURLToPath(import.meta.url);
const quick = process.argv.includes('--quick');
/** §1's scripted-peer plan (bench/run.ts PLANS[0]): 200,000 results per call, 3 rounds of 4 turns. */
const RESULTS_PER_CALL = quick ? 10_000 : 200_000;
const ROUNDS = quick ? 1 : 3;
const RUNS = quick ? 2 : 4;
const SECTION = '10. RawSocket';
const SECTION_TITLE = `## ${SECTION} against WebSocket: client CPU per progressive result`;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function rawFrame(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + body.length);
  encodeFrameHeader(FrameType.message, body.length, frame);
  body.copy(frame, FRAME_HEADER_LENGTH);
  return frame;
}

// ---------------------------------------------------------------- the RawSocket peer process

/**
 * bench/servers/peer.ts over RawSocket: answers the handshake with the client's serializer and
 * a 16 MiB limit, answers PING with PONG, and hands every message to the same scripted dealer
 * (bench/servers/dealer.ts).
 */
class RawSocketPeerConnection {
  private dealer: Dealer | undefined;
  private codec: Codec | undefined;
  private handshake = Buffer.alloc(0);
  private readonly decoder = new FrameDecoder(MAX_FRAME_PAYLOAD);

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.arrived(chunk));
  }

  private arrived(chunk: Buffer): void {
    if (!this.dealer || !this.codec) {
      this.handshake = Buffer.concat([this.handshake, chunk]);
      if (this.handshake.length < HANDSHAKE_LENGTH) return;
      const name = serializerNameOf(this.handshake[1]! & 0x0f);
      if (!name) return void this.socket.destroy();
      const socket = this.socket;
      this.codec = codecByName(name);
      this.dealer = new Dealer(
        {
          codec: this.codec,
          socket,
          frame: rawFrame,
          send: (payload) => socket.write(rawFrame(payload)),
          isOpen: () => !socket.destroyed,
          close: () => socket.end(),
        },
        'rxwamp-bench-rawsocket-peer',
      );
      this.socket.write(encodeHandshake({ lengthExponent: 15, serializerId: RawSocketSerializerId[name] }));
      chunk = this.handshake.subarray(HANDSHAKE_LENGTH);
    }
    this.decoder.push(chunk);
    for (let frame = this.decoder.next(); frame; frame = this.decoder.next()) {
      if (frame.type === FrameType.ping) {
        const pong = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + frame.payload.byteLength);
        encodeFrameHeader(FrameType.pong, frame.payload.byteLength, pong);
        pong.set(frame.payload, FRAME_HEADER_LENGTH);
        this.socket.write(pong);
      } else if (frame.type === FrameType.message) {
        this.dealer.receive(this.codec.decode(frame.payload) as unknown[]);
      }
    }
  }
}

async function runPeer(): Promise<void> {
  const server = createServer((socket) => new RawSocketPeerConnection(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `rs://127.0.0.1:${port}` })}\n`);
  const shutdown = () => process.exit(0);
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
  setTimeout(shutdown, 10 * 60_000).unref();
}

// ---------------------------------------------------------------- the RawSocket clients

/**
 * The RawSocket floor: bench/clients/floor.ts over a bare `net` socket. It splits the stream
 * into frames with the least code (a leftover buffer only when a frame straddles two reads),
 * decodes each payload with the codec rxwamp uses, and looks only at type, request id and
 * `progress`.
 */
class RawSocketFloorAdapter extends FloorCalls {
  private socket!: Socket;
  private codec!: Codec;
  private binary = true;
  private leftover: Buffer | undefined;

  async connect(url: string, serializer: SerializerName): Promise<void> {
    this.codec = codecByName(serializer);
    this.binary = serializer !== 'json';
    const { hostname, port } = new URL(url);
    this.socket = connect({ host: hostname, port: Number(port), noDelay: true });
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.write(encodeHandshake({ lengthExponent: 15, serializerId: RawSocketSerializerId[serializer] }));
    const reply = await new Promise<Buffer>((resolve) => this.socket.once('data', resolve));
    if (reply[0] !== 0x7f || (reply[1]! & 0x0f) === 0) throw new Error(`RawSocket handshake refused: ${reply.toString('hex')}`);
    if (reply.length > HANDSHAKE_LENGTH) this.leftover = reply.subarray(HANDSHAKE_LENGTH);
    this.socket.on('data', (chunk: Buffer) => this.arrived(chunk));
    await this.join();
  }

  private arrived(chunk: Buffer): void {
    const data = this.leftover ? Buffer.concat([this.leftover, chunk]) : chunk;
    this.leftover = undefined;
    let offset = 0;
    while (data.length - offset >= FRAME_HEADER_LENGTH) {
      const length = data.readUIntBE(offset + 1, 3);
      const end = offset + FRAME_HEADER_LENGTH + length;
      if (end > data.length) break;
      const payload = data.subarray(offset + FRAME_HEADER_LENGTH, end);
      if ((data[offset]! & 0x07) === FrameType.message) this.received(this.codec.decode(this.binary ? payload : payload.toString()) as unknown[]);
      offset = end;
    }
    if (offset < data.length) this.leftover = data.subarray(offset);
  }

  protected send(message: unknown[]): void {
    this.socket.write(rawFrame(this.codec.encode(message)));
  }

  async close(): Promise<void> {
    this.socket.end();
  }
}

// ---------------------------------------------------------------- the driver

/** The columns, in the order they take their turn. */
const COLUMNS = ['ws floor', 'rs floor', 'rxwamp ws', 'rxwamp rs'] as const;
type Column = (typeof COLUMNS)[number];

/** Compiles the bench and this file with tsc (as bench/run.ts compileBench) and returns where a script's JavaScript lands. */
function compile(): (script: string) => string {
  const root = join(dirname(self), '..');
  const outDir = join(root, 'node_modules', '.cache', 'rxwamp-bench');
  mkdirSync(outDir, { recursive: true });
  const config = join(outDir, 'tsconfig.rawsocket.json');
  const include = ['clients', 'servers', 'lib', 'rawsocket.ts'].map((entry) => join(root, 'bench', entry));
  writeFileSync(config, `${JSON.stringify({ extends: join(root, 'bench', 'tsconfig.json'), include }, null, 1)}\n`);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`compiling the bench with tsc failed (exit ${built.status})`);
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return (script) => join(outDir, 'bench', script.replace(/\.ts$/, '.js'));
}

async function startPeer(args: string[]): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`peer ${args.join(' ')} exited with code ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, stop: () => child.stdin.end() };
}

/** A client process making one measured run per `go` (ClientTask.stepped, as bench/run.ts startSteppedClient). */
function startClient(args: string[]): { ready: Promise<boolean>; step: () => Promise<StreamRun | undefined>; end: () => Promise<string | undefined> } {
  const child = spawn(process.execPath, ['--expose-gc', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let error: string | undefined;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on('error', () => undefined);
  let onLine: (line: string | undefined) => void = () => undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith(REPORT_PREFIX)) {
      const report = JSON.parse(line.slice(REPORT_PREFIX.length)) as { ok: boolean; error?: string };
      if (!report.ok) error = report.error;
    } else onLine(line);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      if (code !== 0 && !error) error = `exit code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
      onLine(undefined);
      resolve();
    }),
  );
  const next = () => new Promise<string | undefined>((resolve) => (onLine = resolve));
  const ready = next().then((line) => line === STEP_READY);
  return {
    ready,
    step: async () => {
      if (child.exitCode !== null) return undefined;
      const line = next();
      child.stdin.write('go\n');
      const got = await line;
      return got?.startsWith(STEP_PREFIX) ? (JSON.parse(got.slice(STEP_PREFIX.length)) as StreamRun) : undefined;
    },
    end: async () => {
      child.stdin.end();
      await exited;
      return error;
    },
  };
}

interface Turned extends StreamRun {
  readonly turn: number;
}

const nsPerResult = (run: StreamRun) => (run.cpuUs * 1000) / run.results;

/** The median, over the turns both ran in, of a's CPU per result ÷ b's. */
function turnRatio(a: readonly Turned[], b: readonly Turned[]): number {
  const byTurn = new Map(b.map((run) => [run.turn, nsPerResult(run)]));
  return median(a.filter((run) => byTurn.has(run.turn)).map((run) => nsPerResult(run) / byTurn.get(run.turn)!));
}

async function drive(): Promise<string> {
  const compiled = compile();
  const wsPeer = await startPeer([compiled('servers/peer.ts')]);
  const rsPeer = await startPeer([compiled('rawsocket.ts'), '--role', 'peer']);
  const rows: string[] = [];
  let turn = 0;
  try {
    for (const serializer of SERIALIZERS) {
      const runs: Record<Column, Turned[]> = { 'ws floor': [], 'rs floor': [], 'rxwamp ws': [], 'rxwamp rs': [] };
      const failures: string[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        process.stderr.write(`  rawsocket ${serializer}: stream ×${RESULTS_PER_CALL}, ${COLUMNS.join(', ')} in turn (round ${round}/${ROUNDS})\n`);
        const task = (url: string): string =>
          JSON.stringify({
            scenario: 'stream',
            url,
            serializer,
            results: RESULTS_PER_CALL,
            runs: RUNS,
            deadlineMs: 180_000,
            stepped: true,
          } satisfies ClientTask);
        const clients = {
          'ws floor': startClient([compiled('clients/floor.ts'), task(wsPeer.url)]),
          'rs floor': startClient([compiled('rawsocket.ts'), task(rsPeer.url), '--role', 'floor']),
          'rxwamp ws': startClient([compiled('clients/rxwamp.ts'), task(wsPeer.url)]),
          'rxwamp rs': startClient([compiled('rawsocket.ts'), task(rsPeer.url), '--role', 'rxwamp']),
        } satisfies Record<Column, unknown>;
        const ready = await Promise.all(COLUMNS.map((column) => clients[column].ready));
        for (let i = 0; i < RUNS && ready.every(Boolean); i++) {
          turn++;
          for (const column of COLUMNS) {
            await settle(100); // the previous run's GC helper threads finish on their own time
            const run = await clients[column].step();
            if (run) runs[column].push({ ...run, turn });
          }
        }
        for (const column of COLUMNS) {
          const error = await clients[column].end();
          if (error) failures.push(`${column}: ${error}`);
        }
      }
      const floor = runs['ws floor'];
      const cell = (column: Column, against: Column) => {
        const ratio = turnRatio(runs[column], runs[against]);
        return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–';
      };
      for (const column of COLUMNS) {
        const measured = runs[column];
        if (measured.length === 0) {
          rows.push(`| ${serializer} | ${column} | failed: ${failures.join('; ') || 'no runs'} | | | | |`);
          continue;
        }
        const ns = median(measured.map(nsPerResult));
        const rate = median(measured.map((run) => run.results / (run.wallMs / 1000)));
        const versusWs = column === 'rxwamp rs' ? cell('rxwamp rs', 'rxwamp ws') : column === 'rs floor' ? cell('rs floor', 'ws floor') : '';
        rows.push(
          `| ${serializer} | ${column} | ${(ns / 1000).toFixed(3)} | ${floor.length ? cell(column, 'ws floor') : '–'} | ${versusWs} | ${Math.round(rate).toLocaleString('en-US')} | ${measured.length} |`,
        );
      }
      if (failures.length) process.stderr.write(`  ! ${failures.join('; ')}\n`);
    }
  } finally {
    wsPeer.stop();
    rsPeer.stop();
  }
  const count = ROUNDS * RUNS;
  return [
    SECTION_TITLE,
    '',
    `Written by \`npx tsx bench/rawsocket.ts\` (${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC, node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores); \`npm run bench\` runs it after the other figures.`,
    `One call bench.stream with ${RESULTS_PER_CALL.toLocaleString('en-US')} progressive results, as in §1 against the scripted dealer peer (no router): a WebSocket peer (bench/servers/peer.ts) and a RawSocket peer (bench/rawsocket.ts) in processes of their own, each writing the same pre-encoded RESULT frames in 64 KiB batches.`,
    "*CPU µs / result*: the client process's CPU (user + system, every thread) from CALL to final RESULT ÷ results, with bench/clients/driver.ts's warm-up and measurement.",
    "*rxwamp ws*: bench/clients/rxwamp.ts (`call$(…)` with `receiveProgress`). *rxwamp rs*: the same adapter with `transports: [rawSocket]` and an `rs://` URL. *ws floor*: bench/clients/floor.ts (bare `ws`, the codec's decode, no WAMP logic). *rs floor*: the same over a bare `net` socket (4-octet frame headers split by hand).",
    `${ROUNDS} round(s); each starts a fresh process per column, and after warm-up the columns take ${RUNS} turns, one run each, in the order of the table; figures are medians of ${count} runs. The ratios are run by run (the median of the ratios of runs in the same turn), so they need not equal the ratio of the medians.`,
    '',
    '| serializer | client | CPU µs / result | × ws floor | rs ÷ ws | results/s | runs |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

const role = argument('role');
if (role === 'peer') {
  await runPeer();
} else if (role === 'rxwamp') {
  await runClient(new RxwampAdapter([rawSocket]));
} else if (role === 'floor') {
  await runClient(new RawSocketFloorAdapter());
} else {
  const started = Date.now();
  const section = await drive();
  process.stdout.write(`${section}\n`);
  if (!quick) {
    // writeResultsSection hands the section to String.replace as the replacement text, where `$` followed by ` ' & or a digit is a pattern.
    if (/\$[`'&\d]/.test(section)) throw new Error('the section contains a String.replace pattern ($` and the like)');
    writeResultsSection(SECTION, section);
    process.stderr.write(`wrote the "RawSocket" section of bench/RESULTS.md in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
}
