import { SerializationError } from './codec.js';

/**
 * Refuses values a binary serializer would drop or turn into null silently (functions,
 * symbols) and cycles, so a bad payload fails its one operation with a clear message
 * instead of arriving altered.
 */
export function assertEncodable(value: unknown, serializer: string, seen: Set<object> = new Set()): void {
  switch (typeof value) {
    case 'function':
    case 'symbol':
      throw new SerializationError(`cannot serialize a ${typeof value} to ${serializer}`);
    case 'object': {
      if (value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return;
      if (seen.has(value)) throw new SerializationError(`cannot serialize a circular structure to ${serializer}`);
      seen.add(value);
      if (Array.isArray(value)) {
        for (const item of value) assertEncodable(item, serializer, seen);
      } else {
        for (const key of Object.keys(value)) assertEncodable((value as Record<string, unknown>)[key], serializer, seen);
      }
      seen.delete(value);
      return;
    }
    default:
      return;
  }
}
