import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { Subject, catchError, map, merge, of, scan, startWith, switchMap, takeWhile, type Observable } from 'rxjs';
import { IDLE, advance, isLast, percent, started, type LongopEvent, type LongopRun } from './longop-run';
import { WampService } from './wamp.service';

/**
 * Runs com.myapp.longop with a progress bar. Cancel, a new run, and leaving the route all end
 * the call the same way, by unsubscribing: rxwamp then sends CANCEL, the router interrupts the
 * callee and the callee's stream is torn down.
 */
@Component({
  selector: 'app-longop',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card">
      <h2>com.myapp.longop</h2>
      <p class="hint">Each progressive result fills the bar. Cancel unsubscribes, which sends CANCEL; leaving this page while a call runs does too.</p>
      <div class="controls">
        <label>steps <input #steps type="number" min="1" max="1000" value="20" data-test="steps"></label>
        <button type="button" (click)="start(steps.valueAsNumber)" [disabled]="run().status === 'running'" data-test="start">Run longop</button>
        <button type="button" class="secondary" (click)="cancel()" [disabled]="run().status !== 'running'" data-test="cancel">Cancel</button>
      </div>
      <div class="bar" role="progressbar" aria-valuemin="0" [attr.aria-valuemax]="run().total" [attr.aria-valuenow]="run().done" data-test="bar">
        <div class="fill" [class]="run().status" [style.width.%]="percent()"></div>
      </div>
      <p class="status" [attr.data-status]="run().status" data-test="status">{{ statusText() }}</p>
    </section>
  `,
})
export class Longop {
  private readonly wamp = inject(WampService);
  private readonly start$ = new Subject<number>();
  private readonly cancel$ = new Subject<void>();

  /** Each start switches to a new call; takeUntilDestroyed ends the current one with the component. */
  private readonly run$: Observable<LongopRun> = this.start$.pipe(
    switchMap((total) => merge(
      this.wamp.longop$(total).pipe(
        map((result): LongopEvent => ({ kind: 'result', result })),
        catchError((error: unknown) => of<LongopEvent>({ kind: 'failed', error: error instanceof Error ? error.message : String(error) })),
      ),
      this.cancel$.pipe(map((): LongopEvent => ({ kind: 'cancelled' }))),
    ).pipe(
      // Inclusive: the last event is shown, then the call (if still running) is unsubscribed.
      takeWhile((event) => !isLast(event), true),
      scan(advance, started(total)),
      startWith(started(total)),
    )),
    takeUntilDestroyed(),
  );

  readonly run = toSignal(this.run$, { initialValue: IDLE });
  readonly percent = computed(() => percent(this.run()));
  readonly statusText = computed(() => {
    const run = this.run();
    switch (run.status) {
      case 'idle': return 'Not started';
      case 'running': return `Progress ${run.done} / ${run.total} (${this.percent()} %)`;
      case 'done': return `Final result: ${String(run.result)} (100 %)`;
      case 'cancelled': return `Cancelled at ${run.done} / ${run.total}: CANCEL sent`;
      case 'failed': return `Failed: ${run.error ?? ''}`;
    }
  });

  start(steps: number): void {
    this.start$.next(Number.isInteger(steps) && steps > 0 ? steps : 20);
  }

  cancel(): void {
    this.cancel$.next();
  }
}
