import type { SeenMessage } from 'rxwamp/testing';

/** RESULT [50, request, details, args]: a progressive one carrying `index` as its first argument. */
export function progressResult(index: number): (seen: SeenMessage) => boolean {
  return (seen) => seen.type === 'RESULT' && isProgress(seen) && argsOf(seen)[0] === index;
}

/** RESULT with no `progress` flag: the call's end. */
export function finalResult(seen: SeenMessage): boolean {
  return seen.type === 'RESULT' && !isProgress(seen);
}

/** PUBLISH [16, request, options, topic, args]: one to `topic`. */
export function publishTo(topic: string): (seen: SeenMessage) => boolean {
  return (seen) => seen.type === 'PUBLISH' && seen.message[3] === topic;
}

/** The request id of CALL, CANCEL, INVOCATION, INTERRUPT, RESULT… (the message's second element). */
export function requestId(seen: SeenMessage): unknown {
  return seen.message[1];
}

export function argsOf(seen: SeenMessage): readonly unknown[] {
  const index = seen.type === 'PUBLISH' || seen.type === 'EVENT' ? 4 : 3;
  const args = seen.message[index];
  return Array.isArray(args) ? args : [];
}

function isProgress(seen: SeenMessage): boolean {
  const details = seen.message[2] as { readonly progress?: boolean } | undefined;
  return details?.progress === true;
}
