/**
 * What `promise` rejects with; a promise that resolves instead fails the test. `T` is the
 * error type the test expects (the test's own assertions check it).
 */
export function failure<T = unknown>(promise: Promise<unknown>): Promise<T> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as T,
  );
}
