import type { SerializerName } from '../../src/index.js';
import { startEmbeddedRouter } from './embedded-router.js';
import { startFoxRouter } from './fox-router.js';

export interface RunningRouter {
  readonly url: string;
  readonly realm: string;
  stop(): Promise<void>;
}

/** One router the e2e suite runs against, with what it can and cannot do. */
export interface RouterFixture {
  readonly name: string;
  start(): Promise<RunningRouter>;
  readonly serializers: readonly SerializerName[];
  /** Forwards CANCEL to the callee as INTERRUPT. */
  readonly cancels: boolean;
  /** Passes the callee's error URI, args and kwargs through unchanged. */
  readonly keepsCalleeErrors: boolean;
  /** Refuses a second single registration of one procedure (fox-wamp queues them instead). */
  readonly refusesDuplicateRegistrations: boolean;
  /** Sends progressive results to callees that (like autobahn-js) announce them without call_canceling. */
  readonly progressToCalleesWithoutCanceling: boolean;
}

export const ROUTERS: readonly RouterFixture[] = [
  {
    name: 'fox-wamp',
    start: startFoxRouter,
    serializers: ['json'],
    cancels: false,
    keepsCalleeErrors: false,
    refusesDuplicateRegistrations: false,
    progressToCalleesWithoutCanceling: true,
  },
  {
    name: 'embedded router',
    start: () => startEmbeddedRouter(),
    serializers: ['json', 'cbor', 'msgpack'],
    cancels: true,
    keepsCalleeErrors: true,
    refusesDuplicateRegistrations: true,
    progressToCalleesWithoutCanceling: false,
  },
];
