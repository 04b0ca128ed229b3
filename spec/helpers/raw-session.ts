import { MessageType, type Dict } from '../../src/protocol/index.js';

/** Every client feature, so the router treats a raw peer as fully capable unless told otherwise. */
export const FULL_ROLES: Dict = {
  caller: {
    features: { progressive_call_results: true, progressive_call_invocations: true, call_canceling: true, call_timeout: true, caller_identification: true },
  },
  callee: {
    features: {
      progressive_call_results: true,
      progressive_call_invocations: true,
      call_canceling: true,
      caller_identification: true,
      pattern_based_registration: true,
      shared_registration: true,
    },
  },
  publisher: { features: { publisher_exclusion: true, publisher_identification: true, subscriber_blackwhite_listing: true } },
  subscriber: { features: { pattern_based_subscription: true, publisher_identification: true } },
};

export type MessagePredicate = (message: unknown[]) => boolean;

/**
 * The client side of a WAMP session written message by message, the same over any transport
 * (RawPeer on a WebSocket, RawSocketWire on WAMP-RawSocket): HELLO, REGISTER, SUBSCRIBE and CALL
 * as exact messages, and their answers, on top of the transport's `send` and `next`.
 */
export abstract class RawSession {
  sessionId = 0;
  private requestId = 0;

  abstract send(message: unknown[]): void;

  /** The next message matching (earlier non-matching ones stay queued). */
  abstract next(predicate?: MessagePredicate, timeoutMs?: number): Promise<unknown[]>;

  nextRequestId(): number {
    return ++this.requestId;
  }

  /** HELLO (with FULL_ROLES unless told); resolves with the WELCOME or ABORT. Request ids start again with the session. */
  async hello(realm: string, options: { roles?: Dict; details?: Dict } = {}): Promise<unknown[]> {
    this.requestId = 0;
    this.send([MessageType.HELLO, realm, { roles: options.roles ?? FULL_ROLES, ...options.details }]);
    const answer = await this.next((m) => m[0] === MessageType.WELCOME || m[0] === MessageType.ABORT);
    if (answer[0] === MessageType.WELCOME) this.sessionId = answer[1] as number;
    return answer;
  }

  /** REGISTER and wait for REGISTERED; returns the registration id. */
  register(procedure: string, options: Dict = {}): Promise<number> {
    return this.acknowledged('REGISTER', MessageType.REGISTERED, procedure, options);
  }

  /** SUBSCRIBE and wait for SUBSCRIBED; returns the subscription id. */
  subscribe(topic: string, options: Dict = {}): Promise<number> {
    return this.acknowledged('SUBSCRIBE', MessageType.SUBSCRIBED, topic, options);
  }

  /** Sends `kind` for `uri`; resolves with the id its `acknowledgement` carries, rejects on its ERROR. */
  private async acknowledged(
    kind: 'REGISTER' | 'SUBSCRIBE',
    acknowledgement: MessageType.REGISTERED | MessageType.SUBSCRIBED,
    uri: string,
    options: Dict,
  ): Promise<number> {
    const request = this.nextRequestId();
    this.send([MessageType[kind], request, options, uri]);
    const answer = await this.next((m) => (m[0] === acknowledgement && m[1] === request) || (m[0] === MessageType.ERROR && m[2] === request));
    if (answer[0] !== acknowledgement) throw new Error(`${kind} ${uri} failed: ${JSON.stringify(answer)}`);
    return answer[2] as number;
  }

  /** Sends a CALL and returns its request id. */
  call(procedure: string, args: unknown[] = [], kwargs: Dict = {}, options: Dict = {}): number {
    const request = this.nextRequestId();
    this.send([MessageType.CALL, request, options, procedure, args, kwargs]);
    return request;
  }

  /** The terminating RESULT or ERROR of a call (progressive RESULTs are skipped over). */
  callOutcome(request: number, timeoutMs?: number): Promise<unknown[]> {
    return this.next(
      (m) =>
        (m[0] === MessageType.RESULT && m[1] === request && !(m[2] as Dict)['progress']) ||
        (m[0] === MessageType.ERROR && m[1] === MessageType.CALL && m[2] === request),
      timeoutMs,
    );
  }
}
