/**
 * The router's ping/pong times. Apart from liveness.ts so that declarations which mention them
 * (server-socket's limits) do not pull in the `ws` types: `rxwamp/router` users need only @types/node.
 */
export interface LivenessTimes {
  /** Ms from a connection's start, or its last sign of life after a ping, to the next ping; 0: never ping. */
  readonly pingIntervalMs: number;
  /** Ms a ping may go unanswered; 0: never enforced. */
  readonly pongTimeoutMs: number;
}
