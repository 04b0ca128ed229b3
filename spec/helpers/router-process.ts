/**
 * A WAMP router in a child process, for fault-injection tests: the test can SIGKILL it (a
 * router crash), SIGSTOP it (a hung router: TCP stays up, nothing answers) and start a new one
 * on the same port (a router coming back). The child runs router-main.ts under tsx.
 *
 * Every child is tracked: stopAllRouterProcesses() (also exported as a mocha root hook) kills
 * the leftovers, and the parent's exit kills whatever is still running, so a crashed test run
 * leaves no router behind. A child whose parent dies anyway sees its stdin close and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type RouterKind = 'embedded' | 'fox';

export interface RouterProcessOptions {
  readonly kind: RouterKind;
  /** 0 or absent: a free port, chosen by the child's bind. */
  readonly port?: number;
  /** Default realm1 (fox-wamp realms must match [a-z0-9_]+). */
  readonly realm?: string;
}

export interface RouterProcess {
  readonly kind: RouterKind;
  /** ws://127.0.0.1:<port>/ws */
  readonly url: string;
  readonly realm: string;
  readonly port: number;
  readonly pid: number;
  /** True between freeze() and thaw(). */
  readonly frozen: boolean;
  /** True once the child process has exited. */
  readonly exited: boolean;
  /** Sends `signal` (default SIGKILL) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP: the kernel still accepts TCP connections, but nothing is read or answered. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Stops this process if it still runs, then starts a new one of the same kind, realm and port. */
  restart(): Promise<RouterProcess>;
  /** Thaws, SIGKILLs and waits for the exit; safe to call twice, never throws. */
  stop(): Promise<void>;
}

const MAIN_PATH = fileURLToPath(new URL('./router-main.ts', import.meta.url));
/** `--import tsx` resolves from the working directory, so the child runs in the repository root. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 20_000;
/** How long kill() waits for a polite signal before it falls back to SIGKILL. */
const KILL_ESCALATION_MS = 5_000;
/** Only the end of a child's stderr is kept for error messages. */
const STDERR_KEEP_CHARS = 16_000;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL (which also ends a stopped process) is.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Keeps a router child on the list the exit hook kills (until it exits, or fails to spawn),
 * and lets go of its handle and pipes: they must not keep the test process alive on their own,
 * so a leaked router is killed by the exit hook instead of hanging the run. Also used by the
 * model tests' router (spec/model/model-router.ts).
 */
export function trackChild(child: ChildProcess): void {
  installExitHook();
  running.add(child);
  child.once('exit', () => running.delete(child));
  // A failed spawn emits 'error' and may never emit 'exit'.
  child.once('error', () => running.delete(child));
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
}

/** Resolves with the port from the child's `{"listening":port}` line; rejects on failure, exit or timeout. */
function waitUntilListening(child: ChildProcess, stderrTail: () => string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const fail = (why: string) => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`router process did not start: ${why}\n--- child stderr ---\n${stderrTail()}`));
    };
    const timer = setTimeout(() => fail(`no "listening" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    const onLine = (line: string) => {
      const message = parseJsonLine(line);
      if (message === undefined) return; // fox-wamp's own logging
      if (typeof message['listening'] === 'number') {
        cleanup();
        resolve(message['listening']);
      } else if (typeof message['failed'] === 'string') {
        fail(message['failed']);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited (code ${code}, signal ${signal})`);
    const onError = (error: Error) => fail(error.message);
    const cleanup = () => {
      clearTimeout(timer);
      lines.off('line', onLine);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    lines.on('line', onLine);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a router child process on 127.0.0.1 and resolves once it listens. */
export async function startRouterProcess(options: RouterProcessOptions): Promise<RouterProcess> {
  const { kind, port: requestedPort = 0, realm = 'realm1' } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN_PATH, kind, String(requestedPort), realm], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackChild(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
  });
  // stdin only signals our death to the child; writing to a dead child must not crash us.
  child.stdin.on('error', () => undefined);

  const port = await waitUntilListening(child, () => stderr);
  let frozen = false;

  const handle: RouterProcess = {
    kind,
    url: `ws://127.0.0.1:${port}/ws`,
    realm,
    port,
    pid: child.pid!,
    get frozen() {
      return frozen;
    },
    get exited() {
      return hasExited(child);
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (hasExited(child)) return;
      child.kill(signal);
      // A stopped process only acts on signals other than SIGKILL once it runs again.
      if (frozen) handle.thaw();
      const escalation = setTimeout(() => child.kill('SIGKILL'), KILL_ESCALATION_MS);
      await exited;
      clearTimeout(escalation);
    },
    freeze() {
      if (hasExited(child)) return;
      child.kill('SIGSTOP');
      frozen = true;
    },
    thaw() {
      if (hasExited(child)) return;
      child.kill('SIGCONT');
      frozen = false;
    },
    async restart() {
      await handle.stop();
      return startRouterProcess({ kind, port, realm });
    },
    async stop() {
      try {
        if (frozen) handle.thaw();
        await handle.kill('SIGKILL');
      } catch {
        // stop() is for cleanup paths: a process that is already gone is the goal, not an error.
      }
    },
  };
  return handle;
}

/** Kills every router child still running and waits for their exits. */
export async function stopAllRouterProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (hasExited(child)) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** For `mocha --require spec/helpers/router-process.ts`: no router survives the run. */
export const mochaHooks = { afterAll: stopAllRouterProcesses };
