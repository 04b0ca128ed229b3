/**
 * The platform's WebCrypto (Node ≥ 19 and browsers both have `globalThis.crypto.subtle`): all
 * rxwamp's authentication crypto goes through it, none is written by hand.
 */
export function subtle(purpose: string): SubtleCrypto {
  const api = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (!api)
    throw new Error(
      `${purpose} needs WebCrypto (crypto.subtle), which this platform does not provide (browsers offer it only on secure origins: https or localhost)`,
    );
  return api;
}

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function fromHex(hex: string, what: string): Uint8Array<ArrayBuffer> {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new TypeError(`${what} must be hex`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
