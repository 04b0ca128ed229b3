/**
 * Cancel latency through the embedded router: an rxwamp `registerStream` callee and a caller
 * (rxwamp `call$`, or the floor: a bare `ws` client sending CANCEL by hand), two sessions in
 * this one process. Each cycle: CALL with progress, wait for the first progressive result
 * (the invocation is running), take t0 and unsubscribe (→ CANCEL mode kill → router →
 * INTERRUPT → the callee's stream teardown, which takes t1). Latency = t1 − t0.
 */
import { Observable, type Subscription } from 'rxjs';
import WebSocket from 'ws';
import { codecByName, type Codec } from '../../spec/helpers/codecs.js';
import { WampClient } from '../../src/index.js';
import { CANCEL_PROCEDURE, nowNs, percentileSorted, REALM, REPORT_PREFIX, type CancelRun, type ClientReport, type ClientTask } from '../lib/common.js';

interface CancelCaller {
  /** Starts a call; resolves once its first progressive result arrived. */
  start(): Promise<void>;
  /** Cancels the started call (the measured step). */
  cancel(): void;
  close(): Promise<void>;
}

async function rxwampCaller(url: string): Promise<CancelCaller> {
  const client = new WampClient({ url, realm: REALM, serializers: ['json'] });
  await client.connect();
  let subscription: Subscription | undefined;
  return {
    start: () =>
      new Promise<void>((resolve, reject) => {
        subscription = client.call$(CANCEL_PROCEDURE, undefined, undefined, { receiveProgress: true, cancelMode: 'kill' }).subscribe({
          next: (result) => {
            if (result.progress) resolve();
          },
          error: reject,
        });
      }),
    cancel: () => subscription?.unsubscribe(),
    close: () => client.close(),
  };
}

async function floorCaller(url: string): Promise<CancelCaller> {
  const codec: Codec = codecByName('json');
  const ws = new WebSocket(url, [codec.subprotocol]);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let onFrame: (message: unknown[]) => void = () => undefined;
  ws.on('message', (data) => onFrame(codec.decode((data as Buffer).toString()) as unknown[]));
  await new Promise<void>((resolve) => {
    onFrame = () => resolve();
    ws.send(codec.encode([1, REALM, { roles: { caller: { features: { progressive_call_results: true, call_canceling: true } } } }]));
  });
  let nextId = 1;
  let current = 0;
  return {
    start: () =>
      new Promise<void>((resolve) => {
        current = nextId++;
        const id = current;
        onFrame = (message) => {
          if (message[0] === 50 && message[1] === id) resolve();
        };
        ws.send(codec.encode([48, id, { receive_progress: true }, CANCEL_PROCEDURE]));
      }),
    cancel: () => ws.send(codec.encode([49, current, { mode: 'kill' }])),
    close: async () => ws.close(1000),
  };
}

async function main(task: ClientTask): Promise<CancelRun[]> {
  const callee = new WampClient({ url: task.url, realm: REALM, serializers: ['json'] });
  let teardown: (at: bigint) => void = () => undefined;
  const registration = await new Promise<Subscription>((resolve, reject) => {
    const subscription: Subscription = callee
      .registerStream(
        CANCEL_PROCEDURE,
        () =>
          new Observable<number>((subscriber) => {
            subscriber.next(1);
            return () => teardown(nowNs());
          }),
      )
      .subscribe({ next: () => resolve(subscription), error: reject });
  });
  const caller = task.caller === 'floor' ? await floorCaller(task.url) : await rxwampCaller(task.url);
  const deadline = Date.now() + task.deadlineMs;
  const cycle = async (): Promise<number> => {
    await caller.start();
    const tornDown = new Promise<bigint>((resolve) => {
      teardown = resolve;
    });
    const t0 = nowNs();
    caller.cancel();
    const t1 = await tornDown;
    await new Promise<void>((resolve) => setImmediate(resolve)); // let the ERROR canceled pass
    return Number(t1 - t0) / 1000;
  };
  const iterations = task.iterations ?? 500;
  for (let i = 0; i < 100; i++) await cycle(); // warm-up
  const runs: CancelRun[] = [];
  for (let r = 0; r < task.runs && Date.now() < deadline; r++) {
    const latencies = new Float64Array(iterations);
    for (let i = 0; i < iterations; i++) latencies[i] = await cycle();
    latencies.sort();
    runs.push({ p50Us: percentileSorted(latencies, 50), p99Us: percentileSorted(latencies, 99), iterations });
  }
  await caller.close();
  registration.unsubscribe();
  await callee.close();
  return runs;
}

const task = JSON.parse(process.argv[2] ?? '{}') as ClientTask;
setTimeout(() => {
  process.stdout.write(`${REPORT_PREFIX}${JSON.stringify({ ok: false, error: `deadline of ${task.deadlineMs} ms passed` })}\n`);
  process.exit(2);
}, task.deadlineMs + 5_000).unref();
let report: ClientReport;
try {
  report = { ok: true, scenario: 'cancel', runs: await main(task) };
} catch (error) {
  report = { ok: false, error: error instanceof Error ? error.message : String(error) };
}
process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(report)}\n`);
process.exit(0);
