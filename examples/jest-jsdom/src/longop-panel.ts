import type { Subscription } from 'rxjs';
import type { WampClient } from 'rxwamp';

/** The procedure the panel runs: progressive results are the steps done so far, the final result a summary. */
export const LONGOP = 'com.example.longop';

/** The elements the panel renders into, for the page (and the tests) to find. */
export interface LongopPanel {
  readonly start: HTMLButtonElement;
  readonly cancel: HTMLButtonElement;
  readonly bar: HTMLProgressElement;
  readonly status: HTMLElement;
}

/**
 * A long operation with a progress bar: Start calls `LONGOP` with the number of steps, each
 * progressive result moves the bar, Cancel unsubscribes — which rxwamp turns into a CANCEL, so the
 * callee is interrupted rather than left working for nobody.
 */
export function mountLongopPanel(container: HTMLElement, client: WampClient, steps: number): LongopPanel {
  const document = container.ownerDocument;
  const start = document.createElement('button');
  start.textContent = 'Start';
  const cancel = document.createElement('button');
  cancel.textContent = 'Cancel';
  cancel.disabled = true;
  const bar = document.createElement('progress');
  bar.max = steps;
  bar.value = 0;
  const status = document.createElement('span');
  status.textContent = 'idle';
  container.append(start, cancel, bar, status);

  let running: Subscription | undefined;
  const finish = (text: string): void => {
    running = undefined;
    start.disabled = false;
    cancel.disabled = true;
    status.textContent = text;
  };

  start.addEventListener('click', () => {
    start.disabled = true;
    cancel.disabled = false;
    bar.value = 0;
    status.textContent = 'starting';
    running = client.call$(LONGOP, [steps]).subscribe({
      next: (result) => {
        if (result.progress) {
          const done = Number(result.args[0]);
          bar.value = done;
          status.textContent = `step ${done} of ${steps}`;
        } else {
          bar.value = steps;
          finish(`done: ${String(result.args[0])}`);
        }
      },
      error: (error: unknown) => finish(`failed: ${error instanceof Error ? error.message : String(error)}`),
    });
  });

  cancel.addEventListener('click', () => {
    running?.unsubscribe();
    finish('cancelled');
  });

  return { start, cancel, bar, status };
}
