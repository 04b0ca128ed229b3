/** Which way a message went: `'out'` to the router, `'in'` from it. */
export type MessageDirection = 'in' | 'out';

/**
 * The `debug` option: told about every WAMP message the client sends (once it was handed to the
 * socket) and every message it receives (as decoded, before validation, so a malformed frame
 * shows too). Secrets are replaced by `'<redacted>'` (see `redactSecrets`).
 */
export type DebugListener = (direction: MessageDirection, message: readonly unknown[]) => void;

export const REDACTED = '<redacted>';

const HELLO = 1;
const AUTHENTICATE = 5;
/** HELLO authextra fields that are public by design (cryptosign's public key) and help debugging. */
const PUBLIC_AUTHEXTRA = new Set(['pubkey']);

/**
 * A copy of `message` without its secrets: AUTHENTICATE's signature (the ticket itself, the
 * WAMP-CRA or cryptosign signature) and the values of HELLO's authextra (other than the public
 * key). Every other message is passed as it is, not copied.
 */
export function redactSecrets(message: readonly unknown[]): readonly unknown[] {
  if (message[0] === AUTHENTICATE) return [message[0], REDACTED, ...message.slice(2)];
  if (message[0] === HELLO && isDict(message[2]) && isDict(message[2]['authextra'])) {
    const authextra = Object.fromEntries(Object.entries(message[2]['authextra']).map(([key, value]) => [key, PUBLIC_AUTHEXTRA.has(key) ? value : REDACTED]));
    return [message[0], message[1], { ...message[2], authextra }, ...message.slice(3)];
  }
  return message;
}

/**
 * What the transport calls with every message it sent (once handed to the socket) and every
 * message it decoded: `listener`, told with the secrets redacted. The transport holds it only
 * when the option is set (one undefined check per message otherwise; a wrapper around the
 * transport cost about 60 bytes gzipped more in the browser core).
 */
export function debugTeller(listener: DebugListener): DebugListener {
  return (direction, message) => {
    // A debugging aid must never break the session: whatever the listener throws stays here.
    try {
      listener(direction, redactSecrets(message));
    } catch {
      /* ignored on purpose */
    }
  };
}

function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
