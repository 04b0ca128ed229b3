/**
 * The commands of the model-based client tests: what an application and the world can do to a
 * WampClient. Each updates the model with what must follow, acts on the real system, and waits
 * for the system to settle there (System.settle), which checks every invariant.
 */
import fc from 'fast-check';
import { map, Observable, of, reduce, type Observable as Rx } from 'rxjs';
import { final, type CallResult, type ConnectionStatus } from '../../src/index.js';
import { HostileError, Recorder } from './probes.js';
import {
  completesWith,
  connectionError,
  endsOnce,
  NOBODY,
  PROCEDURES,
  REENTRANT_TOPIC,
  registered,
  stillHeld,
  TOPICS,
  wampError,
  type Expectation,
  type HandlerKind,
  type Model,
  type ModelCall,
  type ModelTopic,
  type System,
  type Tracked,
} from './system.js';

type Command = fc.AsyncCommand<Model, System>;

// ---- shared effects ----

/** An operation that needs a session: a closed or idle client connects (once). */
function needsSession(model: Model): void {
  if (model.open) return;
  model.open = true;
  model.opens++;
}

/** The session is lost: calls to our hanging handlers fail, their teardowns run; a new session follows. */
function sessionLost(model: Model, reconnects: boolean): void {
  for (const call of model.runningCalls.splice(0)) {
    call.tracked.expectation = connectionError('lost');
    tornDown(model, call.kind);
  }
  if (reconnects) model.opens++;
}

function tornDown(model: Model, kind: HandlerKind): void {
  model.teardowns++;
  if (kind === 'hanging-throwing-teardown') model.unownedThrows++;
}

/** close(): what the application holds completes; running calls fail with `closed`. */
function closedByApplication(model: Model): void {
  for (const registration of model.registrations.values()) registration.tracked.expectation = completesWith('close()', () => true);
  for (const topic of model.topics) topic.tracked.expectation = completesWith('close()', () => true);
  for (const call of model.runningCalls) {
    call.tracked.expectation = connectionError('closed', 'lost');
    tornDown(model, call.kind);
  }
  model.registrations.clear();
  model.topics.length = 0;
  model.runningCalls.length = 0;
  model.open = false;
}

function subscribeTracked<T>(system: System, label: string, source: Rx<T>, expectation: Expectation): Tracked {
  const tracked = system.track(new Recorder(label), expectation);
  subscribeRecorder(tracked.recorder, source);
  return tracked;
}

function subscribeRecorder<T>(recorder: Recorder, source: Rx<T>): void {
  const subscription = source.subscribe(recorder.observer as Recorder<T>['observer']);
  recorder.unsubscribe = () => {
    recorder.unsubscribed = true;
    subscription.unsubscribe();
  };
}

function watchTracked(system: System, label: string, promise: Promise<unknown>, expectation: Expectation): Tracked {
  const recorder = new Recorder(label).watch(promise);
  return system.track(recorder, expectation);
}

const completes = (what: string): Expectation => completesWith(what, () => true);

/** The registration Observable for a handler kind; every handler run is counted. */
function registration(system: System, procedure: string, kind: HandlerKind): Rx<unknown> {
  const client = system.client;
  const ran = () => {
    system.handlerRuns++;
  };
  switch (kind) {
    case 'value':
      return client.register(procedure, ([x]) => {
        ran();
        return (x as number) * 2;
      });
    case 'stream':
      return client.registerStream(procedure, ([x]) => {
        ran();
        return of(1, 2, final(x));
      });
    case 'duplex':
      return client.registerDuplex(procedure, (input$) => {
        ran();
        return input$.pipe(
          reduce((sum, x) => sum + (x as number), 0),
          map(final),
        );
      });
    case 'throwing':
      return client.register(procedure, () => {
        ran();
        throw new HostileError('handler');
      });
    case 'hanging':
    case 'hanging-throwing-teardown':
      return client.registerStream(procedure, () => {
        ran();
        return new Observable<never>(() => () => {
          system.teardowns++;
          if (kind === 'hanging-throwing-teardown') throw new HostileError('teardown');
        });
      });
  }
}

/** What a call$(procedure, [21]) to our own handler of this kind must give. */
function callOutcome(kind: HandlerKind): Expectation | 'runs' {
  const shape = (values: unknown[]) => JSON.stringify((values as CallResult[]).map((r) => [r.progress, r.args]));
  switch (kind) {
    case 'value':
      return completesWith('final [42]', (v) => shape(v) === '[[false,[42]]]');
    case 'stream':
      return completesWith('progress 1, 2, final 21', (v) => shape(v) === '[[true,[1]],[true,[2]],[false,[21]]]');
    case 'duplex':
      return completesWith('final 21', (v) => shape(v) === '[[false,[21]]]');
    case 'throwing':
      return wampError('wamp.error.runtime_error');
    default:
      return 'runs';
  }
}

// ---- commands ----

class Connect implements Command {
  check = () => true;
  async run(model: Model, system: System): Promise<void> {
    watchTracked(system, 'connect()', system.client.connect(), completes('SessionInfo'));
    needsSession(model);
    await system.settle(model, this.toString());
  }
  toString = () => 'connect()';
}

export class Close implements Command {
  check = () => true;
  async run(model: Model, system: System): Promise<void> {
    watchTracked(system, 'close()', system.client.close(), completes('close() resolved'));
    closedByApplication(model);
    await system.settle(model, this.toString());
  }
  toString = () => 'close()';
}

type DropHow = 'router-terminate' | 'router-close' | 'client-tcp';

class Drop implements Command {
  constructor(readonly how: DropHow) {}
  check = (model: Readonly<Model>) => model.open;
  async run(model: Model, system: System): Promise<void> {
    await drop(system, this.how);
    sessionLost(model, true);
    await system.settle(model, this.toString());
  }
  toString = () => `drop(${this.how})`;
}

async function drop(system: System, how: DropHow): Promise<void> {
  if (how === 'client-tcp') {
    const socket = system.sockets.openSocket as unknown as { _socket?: { destroy(): void } } | undefined;
    if (!socket?._socket) throw new Error('drop(client-tcp): the client has no open socket');
    socket._socket.destroy();
    return;
  }
  const session = system.client.session?.id;
  if (session === undefined || !(await system.router.drop(session, how === 'router-terminate' ? 'terminate' : 'close'))) {
    throw new Error(`drop(${how}): the router has no session ${session}`);
  }
}

class KillRouter implements Command {
  check = () => true;
  async run(model: Model, system: System): Promise<void> {
    system.harness.router = await system.harness.resources.quietly(() => system.harness.router.restart());
    if (model.open) sessionLost(model, true);
    await system.settle(model, this.toString());
  }
  toString = () => 'killRouter(SIGKILL, restart on the same port)';
}

class Register implements Command {
  constructor(
    readonly procedure: string,
    readonly kind: HandlerKind,
  ) {}
  check = (model: Readonly<Model>) => !model.registrations.has(this.procedure);
  async run(model: Model, system: System): Promise<void> {
    const tracked = subscribeTracked(system, `register ${this.procedure} (${this.kind})`, registration(system, this.procedure, this.kind), registered(model));
    model.registrations.set(this.procedure, { procedure: this.procedure, kind: this.kind, tracked });
    needsSession(model);
    await system.settle(model, this.toString());
  }
  toString = () => `register(${this.procedure}, ${this.kind})`;
}

/** A second registration of a procedure this client holds: refused; the first one stays. */
class RegisterAgain implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.registrations.size > 0;
  async run(model: Model, system: System): Promise<void> {
    const held = [...model.registrations.values()][this.pick % model.registrations.size]!;
    subscribeTracked(
      system,
      `register ${held.procedure} again`,
      registration(system, held.procedure, 'value'),
      wampError('wamp.error.procedure_already_exists'),
    );
    await system.settle(model, this.toString());
  }
  toString = () => `registerAgain(#${this.pick})`;
}

class Unregister implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.registrations.size > 0;
  async run(model: Model, system: System): Promise<void> {
    const held = [...model.registrations.values()][this.pick % model.registrations.size]!;
    held.tracked.recorder.unsubscribe();
    held.tracked.expectation = stillHeld;
    model.registrations.delete(held.procedure);
    await system.settle(model, this.toString());
  }
  toString = () => `unregister(#${this.pick})`;
}

class Subscribe implements Command {
  constructor(
    readonly topic: string,
    readonly hostile: boolean,
  ) {}
  check = () => true;
  async run(model: Model, system: System): Promise<void> {
    let thrown: HostileError | undefined;
    const entry: ModelTopic = { topic: this.topic, subscribedCalls: 0, mustReceive: [], tracked: undefined as unknown as Tracked };
    const source = system.client.topic$(this.topic, {
      onSubscribed: () => {
        if (!this.hostile) return void entry.subscribedCalls++;
        thrown = new HostileError('onSubscribed');
        throw thrown;
      },
    });
    const expectation: Expectation = this.hostile
      ? (r) => {
          if (!r.ended) return 'wait: the topic$ whose onSubscribed threw has not errored';
          const ending = r.endings[0]!;
          return ending.kind === 'error' && ending.error === thrown
            ? undefined
            : `the topic$ whose onSubscribed threw should error with that error, but ${ending.kind === 'error' ? `errored with ${String(ending.error)}` : 'completed'}`;
        }
      : (r) => {
          if (r.ended) return `subscription should still be held, but it ended (${r.endings[0]!.kind})`;
          for (const publication of entry.mustReceive) {
            const got = r.values.filter((event) => (event as { args: unknown[] }).args[0] === publication).length;
            if (got > 1) return `received publication ${publication} ${got} times`;
            if (got === 0) return `wait: publication ${publication} not received`;
          }
          return undefined;
        };
    const tracked = subscribeTracked(system, `topic$ ${this.topic}${this.hostile ? ' (onSubscribed throws)' : ''}`, source, expectation);
    (entry as { tracked: Tracked }).tracked = tracked;
    if (!this.hostile) model.topics.push(entry);
    needsSession(model);
    await system.settle(model, this.toString());
  }
  toString = () => `topic$(${this.topic}${this.hostile ? ', onSubscribed throws' : ''})`;
}

class Unsubscribe implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.topics.length > 0;
  async run(model: Model, system: System): Promise<void> {
    const [entry] = model.topics.splice(this.pick % model.topics.length, 1);
    entry!.tracked.recorder.unsubscribe();
    entry!.tracked.expectation = stillHeld;
    await system.settle(model, this.toString());
  }
  toString = () => `unsubscribeTopic(#${this.pick})`;
}

class CallOwn implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.registrations.size > 0;
  async run(model: Model, system: System): Promise<void> {
    const held = [...model.registrations.values()][this.pick % model.registrations.size]!;
    const outcome = callOutcome(held.kind);
    const tracked = subscribeTracked(
      system,
      `call$ ${held.procedure} (${held.kind})`,
      system.client.call$(held.procedure, [21]),
      outcome === 'runs' ? stillHeld : outcome,
    );
    if (outcome === 'runs') model.runningCalls.push({ procedure: held.procedure, kind: held.kind, tracked } satisfies ModelCall);
    model.handlerRuns++;
    await system.settle(model, this.toString());
  }
  toString = () => `callOwn(#${this.pick})`;
}

class CallNobody implements Command {
  check = () => true;
  async run(model: Model, system: System): Promise<void> {
    subscribeTracked(system, `call$ ${NOBODY}`, system.client.call$(NOBODY), wampError('wamp.error.no_such_procedure'));
    needsSession(model);
    await system.settle(model, this.toString());
  }
  toString = () => 'callNobody()';
}

class CallStream implements Command {
  /** pick: undefined calls the procedure nobody registered. */
  constructor(readonly pick: number | undefined) {}
  check = (model: Readonly<Model>) => this.pick === undefined || model.registrations.size > 0;
  async run(model: Model, system: System): Promise<void> {
    const held = this.pick === undefined ? undefined : [...model.registrations.values()][this.pick % model.registrations.size]!;
    const procedure = held?.procedure ?? NOBODY;
    const expectation =
      held === undefined
        ? wampError('wamp.error.no_such_procedure')
        : held.kind === 'duplex'
          ? completesWith('final 6', (v) => JSON.stringify((v as CallResult[]).map((r) => [r.progress, r.args])) === '[[false,[6]]]')
          : wampError('wamp.error.feature_not_supported');
    if (held?.kind === 'duplex') model.handlerRuns++;
    subscribeTracked(system, `callStream$ ${procedure}${held ? ` (${held.kind})` : ''}`, system.client.callStream$(procedure, of(1, 2, 3)), expectation);
    needsSession(model);
    await system.settle(model, this.toString());
  }
  toString = () => `callStream(${this.pick === undefined ? 'nobody' : `#${this.pick}`})`;
}

/** Unsubscribes a call our hanging handler serves: CANCEL → INTERRUPT → the handler's teardown, same session. */
class Cancel implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.runningCalls.length > 0;
  async run(model: Model, system: System): Promise<void> {
    const [call] = model.runningCalls.splice(this.pick % model.runningCalls.length, 1);
    call!.tracked.recorder.unsubscribe();
    tornDown(model, call!.kind);
    await system.settle(model, this.toString());
  }
  toString = () => `cancelCall(#${this.pick})`;
}

class Publish implements Command {
  constructor(readonly topic: string) {}
  check = () => true;
  async run(model: Model, system: System): Promise<void> {
    const publication = ++model.publications;
    watchTracked(
      system,
      `publish ${this.topic} [${publication}]`,
      system.client.publish(this.topic, [publication], {}, { acknowledge: true, excludeMe: false }),
      completesWith('a publication id', (v) => typeof (v[0] as { id?: unknown } | undefined)?.id === 'number'),
    );
    for (const topic of model.topics) if (topic.topic === this.topic) topic.mustReceive.push(publication);
    needsSession(model);
    await system.settle(model, this.toString());
  }
  toString = () => `publish(${this.topic})`;
}

export type ReentrantAction = 'throw' | 'publish' | 'call' | 'register' | 'connect' | 'close';
type ListenedStatus = Exclude<ConnectionStatus, 'idle'>;

/**
 * A state$ listener that acts once on the next `status`: throws, or calls the client
 * re-entrantly. The status is then brought about: a drop when the client is open (closed,
 * reconnecting, connecting, open follow), connect() when it is not.
 */
class Reentrant implements Command {
  constructor(
    readonly status: ListenedStatus,
    readonly action: ReentrantAction,
    readonly pick: number,
  ) {}
  check = (model: Readonly<Model>) => this.action !== 'register' || model.registrations.size < PROCEDURES.length;
  async run(model: Model, system: System): Promise<void> {
    const client = system.client;
    if (!model.open && (this.status === 'closed' || this.status === 'reconnecting')) {
      watchTracked(system, 'connect() before arming', client.connect(), completes('SessionInfo'));
      needsSession(model);
      await system.settle(model, `${this.toString()}: connect() first`);
    }
    const trigger = model.open ? 'drop' : 'connect';
    const free = PROCEDURES.filter((p) => !model.registrations.has(p));
    const procedure = free[this.pick % Math.max(1, free.length)]!;

    // The registration the listener will make is the application's from now on.
    const registering =
      this.action === 'register' ? system.track(new Recorder(`register ${procedure} from the ${this.status} listener`), registered(model)) : undefined;
    if (registering) model.registrations.set(procedure, { procedure, kind: 'value', tracked: registering });
    const firedRecorder = new Recorder(`state$ listener on ${this.status} (${this.action})`);
    system.track(firedRecorder, completes('the listener fired'));
    let replaying = true;
    let fired = false;
    const subscription = client.state$.subscribe((state) => {
      if (replaying || fired || state.status !== this.status) return;
      fired = true;
      firedRecorder.observer.next(state.status);
      firedRecorder.observer.complete();
      queueMicrotask(() => subscription.unsubscribe());
      switch (this.action) {
        case 'throw':
          throw new HostileError('state$ listener');
        case 'publish':
          return void watchTracked(system, `publish from the ${this.status} listener`, client.publish(REENTRANT_TOPIC, [1]), completes('sent'));
        case 'call':
          return void subscribeTracked(
            system,
            `call$ ${NOBODY} from the ${this.status} listener`,
            client.call$(NOBODY),
            wampError('wamp.error.no_such_procedure'),
          );
        case 'register':
          return subscribeRecorder(registering!.recorder, registration(system, procedure, 'value'));
        case 'connect':
          return void watchTracked(system, `connect() from the ${this.status} listener`, client.connect(), completes('SessionInfo'));
        case 'close':
          return void watchTracked(system, `close() from the ${this.status} listener`, client.close(), completes('close() resolved'));
      }
    });
    replaying = false;

    // What must follow, by the intended contract.
    if (trigger === 'drop') sessionLost(model, false);
    const opens = this.action !== 'close' || this.status === 'open';
    if (opens) model.opens++;
    if (this.action === 'throw') model.listenerThrows++;
    if (this.action === 'close') closedByApplication(model);
    else model.open = true;

    if (trigger === 'drop') await drop(system, 'router-terminate');
    else watchTracked(system, 'connect() that brings the status', client.connect(), this.action === 'close' ? endsOnce : completes('SessionInfo'));
    await system.settle(model, this.toString());
  }
  toString = () => `reentrant(on ${this.status}: ${this.action}${this.action === 'register' ? ` #${this.pick}` : ''})`;
}

// ---- the command mix ----

const procedure = fc.constantFrom(...PROCEDURES);
const topic = fc.constantFrom(...TOPICS);
const pick = fc.nat({ max: 7 });
const handlerKind = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<HandlerKind>('value', 'stream', 'duplex') },
  { weight: 1, arbitrary: fc.constantFrom<HandlerKind>('throwing', 'hanging', 'hanging-throwing-teardown') },
);

/** Weights: the world's faults are rarer than the application's operations; a router restart (~0.3 s) rarest. */
export const COMMAND_WEIGHTS = {
  connect: 3,
  close: 2,
  drop: 3,
  killRouter: 1,
  register: 6,
  registerAgain: 1,
  unregister: 2,
  subscribe: 4,
  subscribeHostile: 1,
  unsubscribe: 2,
  callOwn: 5,
  callNobody: 2,
  callStream: 2,
  callStreamNobody: 1,
  cancel: 2,
  publish: 3,
  reentrant: 6,
} as const;

export type CommandName = keyof typeof COMMAND_WEIGHTS;

/** The weights, with overrides from RXWAMP_MODEL_WEIGHTS="reentrant=0,killRouter=3" (0 leaves a command out). */
export function commandWeights(overrides = process.env['RXWAMP_MODEL_WEIGHTS'] ?? ''): Record<CommandName, number> {
  const weights: Record<CommandName, number> = { ...COMMAND_WEIGHTS };
  for (const entry of overrides
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [name, value] = entry.split('=');
    if (!(name! in weights) || !Number.isInteger(Number(value)) || Number(value) < 0)
      throw new Error(`RXWAMP_MODEL_WEIGHTS: bad entry "${entry}" (names: ${Object.keys(weights).join(', ')})`);
    weights[name as CommandName] = Number(value);
  }
  return weights;
}

export function commandArbitraries(weights: Record<CommandName, number> = commandWeights()): fc.Arbitrary<Command> {
  const w = weights;
  return fc.oneof(
    ...[
      { weight: w.connect, arbitrary: fc.constant(new Connect()) },
      { weight: w.close, arbitrary: fc.constant(new Close()) },
      { weight: w.drop, arbitrary: fc.constantFrom<DropHow>('router-terminate', 'router-close', 'client-tcp').map((how) => new Drop(how)) },
      { weight: w.killRouter, arbitrary: fc.constant(new KillRouter()) },
      { weight: w.register, arbitrary: fc.tuple(procedure, handlerKind).map(([p, k]) => new Register(p, k)) },
      { weight: w.registerAgain, arbitrary: pick.map((i) => new RegisterAgain(i)) },
      { weight: w.unregister, arbitrary: pick.map((i) => new Unregister(i)) },
      { weight: w.subscribe, arbitrary: topic.map((t) => new Subscribe(t, false)) },
      { weight: w.subscribeHostile, arbitrary: topic.map((t) => new Subscribe(t, true)) },
      { weight: w.unsubscribe, arbitrary: pick.map((i) => new Unsubscribe(i)) },
      { weight: w.callOwn, arbitrary: pick.map((i) => new CallOwn(i)) },
      { weight: w.callNobody, arbitrary: fc.constant(new CallNobody()) },
      { weight: w.callStream, arbitrary: pick.map((i) => new CallStream(i)) },
      { weight: w.callStreamNobody, arbitrary: fc.constant(new CallStream(undefined)) },
      { weight: w.cancel, arbitrary: pick.map((i) => new Cancel(i)) },
      { weight: w.publish, arbitrary: topic.map((t) => new Publish(t)) },
      {
        weight: w.reentrant,
        arbitrary: fc
          .tuple(
            fc.constantFrom<ListenedStatus>('open', 'connecting', 'closed', 'reconnecting'),
            fc.constantFrom<ReentrantAction>('throw', 'publish', 'call', 'register', 'connect', 'close'),
            pick,
          )
          .map(([status, action, i]) => new Reentrant(status, action, i)),
      },
    ].filter((entry) => entry.weight > 0),
  );
}
