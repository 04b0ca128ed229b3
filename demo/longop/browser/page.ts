/**
 * The longop demo in a plain page (no framework): rxjs drives the DOM. The callee runs in the
 * demo server (Node) and publishes its teardown; the page is the caller.
 */
import { catchError, fromEvent, map, merge, of, scan, startWith, switchMap, takeWhile } from 'rxjs';
import { WampClient, type CallResult } from '../../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as querySelector<T>: the page's HTML fixes the type
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const client = new WampClient({
  url: `${location.origin.replace(/^http/, 'ws')}/ws`,
  realm: 'realm1',
  // ?debug: every WAMP message in the console (secrets redacted).
  ...(new URLSearchParams(location.search).has('debug')
    ? { debug: (direction: 'in' | 'out', message: readonly unknown[]) => console.debug(`wamp ${direction}`, JSON.stringify(message)) }
    : {}),
});

const connection = element('connection');
client.state$.subscribe((state) => {
  connection.dataset['state'] = state.status;
  connection.querySelector('b')!.textContent = state.status;
});

client.topic$('com.myapp.counter').subscribe((event) => {
  element('counter').textContent = String(event.args[0]);
});

client
  .topic$('com.myapp.longop.log')
  .pipe(scan((lines: string[], event) => [...lines, String(event.args[0])].slice(-5), []))
  .subscribe((lines) => {
    element('callee-log').replaceChildren(...lines.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
  });

interface Run {
  readonly status: 'running' | 'done' | 'cancelled' | 'failed';
  readonly done: number;
  readonly total: number;
  readonly text: string;
}
type RunEvent = CallResult | 'cancelled' | Error;

function advance(run: Run, event: RunEvent): Run {
  if (event instanceof Error) return { ...run, status: 'failed', text: `Failed: ${event.message}` };
  if (event === 'cancelled') return { ...run, status: 'cancelled', text: `Cancelled at ${run.done} / ${run.total}: CANCEL sent` };
  if (!event.progress) return { ...run, status: 'done', done: run.total, text: `Final result: ${String(event.args[0])} (100 %)` };
  const done = Number(event.args[0]) + 1;
  return { ...run, done, text: `Progress ${done} / ${run.total} (${Math.round((100 * done) / run.total)} %)` };
}

const stepsInput = element<HTMLInputElement>('steps');
const startButton = element<HTMLButtonElement>('start');
const cancelButton = element<HTMLButtonElement>('cancel');
const cancel$ = fromEvent(cancelButton, 'click').pipe(map((): RunEvent => 'cancelled'));

fromEvent(startButton, 'click')
  .pipe(
    map(() => (stepsInput.valueAsNumber > 0 ? Math.floor(stepsInput.valueAsNumber) : 20)),
    // Cancel ends the merge, and so unsubscribes the call: that is what sends CANCEL.
    switchMap((total) =>
      merge(
        client.call$('com.myapp.longop', [total]).pipe(catchError((error: unknown) => of(error instanceof Error ? error : new Error(String(error))))),
        cancel$,
      ).pipe(
        takeWhile((event) => event !== 'cancelled' && !(event instanceof Error) && event.progress, true),
        scan(advance, { status: 'running', done: 0, total, text: `Progress 0 / ${total} (0 %)` } as Run),
        startWith({ status: 'running', done: 0, total, text: `Progress 0 / ${total} (0 %)` } as Run),
      ),
    ),
  )
  .subscribe(render);

function render(run: Run): void {
  const bar = element('bar');
  bar.setAttribute('aria-valuemax', String(run.total));
  bar.setAttribute('aria-valuenow', String(run.done));
  const fill = bar.firstElementChild as HTMLElement;
  fill.className = `fill ${run.status}`;
  fill.style.width = `${run.total ? (100 * run.done) / run.total : 0}%`;
  const status = element('status');
  status.dataset['status'] = run.status;
  status.textContent = run.text;
  startButton.disabled = run.status === 'running';
  cancelButton.disabled = run.status !== 'running';
}
