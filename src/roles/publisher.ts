import { WampError } from '../protocol/errors.js';
import * as MessageType from '../protocol/message-type.js';
import type { Args, Dict, ErrorMessage, PublishedMessage } from '../protocol/messages.js';
import type { Session } from '../session/session.js';
import type { Publication, PublishOptions } from './types.js';

interface PendingPublish {
  resolve(publication: Publication): void;
  reject(error: Error): void;
}

/**
 * The publisher role on one session. Only acknowledged publishes wait for an answer, so only
 * they get a pending entry (keyed by request id).
 */
export class Publisher {
  /** Publisher features rxwamp implements (HELLO.roles.publisher.features). */
  static readonly features: Readonly<Dict> = {
    publisher_exclusion: true,
    publisher_identification: true,
    subscriber_blackwhite_listing: true,
  };

  readonly #pendingPublishes = new Map<number, PendingPublish>();

  readonly #session: Session;

  constructor(session: Session) {
    this.#session = session;
    session.route(MessageType.PUBLISHED, (message) => this.#onPublished(message));
    session.routeError(MessageType.PUBLISH, (message) => this.#onError(message));
    session.onClose((error) => {
      const pending = [...this.#pendingPublishes.values()];
      this.#pendingPublishes.clear();
      for (const publish of pending) publish.reject(error);
    });
  }

  /** Sends PUBLISH; resolves at once, or with the publication id when acknowledged. */
  publish(topic: string, args: Args | undefined, kwargs: Dict | undefined, options: PublishOptions): Promise<Publication | undefined> {
    const wampOptions = publishOptions(options);
    let requestId: number;
    try {
      requestId = this.#session.sendRequestWithPayload([MessageType.PUBLISH, 0, wampOptions, topic, args, kwargs]);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!options.acknowledge) return Promise.resolve(undefined);
    return new Promise<Publication>((resolve, reject) => this.#pendingPublishes.set(requestId, { resolve, reject }));
  }

  #onPublished([, requestId, publication]: PublishedMessage): void {
    const pending = this.#pendingPublishes.get(requestId);
    if (pending === undefined) return;
    this.#pendingPublishes.delete(requestId);
    pending.resolve({ id: publication });
  }

  #onError([, , requestId, details, uri, args, kwargs]: ErrorMessage): void {
    const pending = this.#pendingPublishes.get(requestId);
    if (pending === undefined) return;
    this.#pendingPublishes.delete(requestId);
    pending.reject(new WampError(uri, { details, args, kwargs }));
  }
}

function publishOptions(options: PublishOptions): Dict {
  const wampOptions: Dict = {};
  if (options.acknowledge) wampOptions['acknowledge'] = true;
  if (options.excludeMe === false) wampOptions['exclude_me'] = false;
  if (options.discloseMe) wampOptions['disclose_me'] = true;
  // The black- and whitelists (§14.4.1), excludeAuthid as exclude_authid and so on; each list is
  // the options snapshot's own copy (check-input.ts), sent as it is.
  for (const name of ['exclude', 'excludeAuthid', 'excludeAuthrole', 'eligible', 'eligibleAuthid', 'eligibleAuthrole'] as const) {
    if (options[name]) wampOptions[name.replace('Auth', '_auth')] = options[name];
  }
  return wampOptions;
}
