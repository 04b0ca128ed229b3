import type { CallResult } from 'rxwamp';

/** What the longop component shows about its call. */
export interface LongopRun {
  readonly status: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  /** Progress results received so far, out of `total`. */
  readonly done: number;
  readonly total: number;
  readonly result?: unknown;
  readonly error?: string;
}

export type LongopEvent =
  | { readonly kind: 'result'; readonly result: CallResult }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'failed'; readonly error: string };

export const IDLE: LongopRun = { status: 'idle', done: 0, total: 0 };

export function started(total: number): LongopRun {
  return { status: 'running', done: 0, total };
}

/** The next view of the run after one event. */
export function advance(run: LongopRun, event: LongopEvent): LongopRun {
  switch (event.kind) {
    case 'result':
      return event.result.progress
        ? { ...run, done: Number(event.result.args[0]) + 1 }
        : { ...run, status: 'done', done: run.total, result: event.result.args[0] };
    case 'cancelled':
      return { ...run, status: 'cancelled' };
    case 'failed':
      return { ...run, status: 'failed', error: event.error };
  }
}

/** The events after which the call is over. */
export function isLast(event: LongopEvent): boolean {
  return event.kind !== 'result' || !event.result.progress;
}

export function percent(run: LongopRun): number {
  return run.total === 0 ? 0 : Math.round((100 * run.done) / run.total);
}
