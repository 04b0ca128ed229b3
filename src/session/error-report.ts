import { UnsubscriptionError } from 'rxjs';

/**
 * Where application code threw while rxwamp ran it, when no operation of its own is left to
 * fail: a teardown the application gave (a handler's stream, a `callStream$` input, an operator
 * chain rxwamp completed), or another callback of the application's.
 */
export interface ErrorContext {
  /** `'teardown'`: a teardown threw while rxwamp ended a stream; `'callback'`: other application code rxwamp called. */
  readonly source: 'teardown' | 'callback';
  /** The procedure or topic the code belongs to, when there is one. */
  readonly uri?: string;
}

/** The client's `onError` option. */
export type ErrorReporter = (error: unknown, context: ErrorContext) => void;

/** The default `onError`: the throw is logged, never rethrown (it would reach the socket's event handler). */
export const logError: ErrorReporter = (error, context) => {
  console.error(`rxwamp: a ${context.source} threw${context.uri ? ` (${context.uri})` : ''}:`, error);
};

/**
 * Tells `reporter`, each of the application's own errors apart: rxjs gathers the throws of
 * several teardowns into one UnsubscriptionError. A reporter that throws itself has nowhere
 * left to go, so that is dropped.
 */
export function reportTo(reporter: ErrorReporter, error: unknown, context: ErrorContext): void {
  if (error instanceof UnsubscriptionError) {
    for (const each of error.errors) reportTo(reporter, each, { ...context, source: 'teardown' });
    return;
  }
  try {
    reporter(error, context);
  } catch {
    /* the last resort failed: nothing may escape into the session */
  }
}
