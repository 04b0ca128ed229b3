/**
 * The serializers of the `rxwamp-router` command. JSON is built in; CBOR and MessagePack are
 * rxwamp's own codecs, loaded with import() because their packages (cbor-x, msgpackr) are
 * optional peer dependencies: a project that installed neither still gets a JSON router.
 */
import type { Serializer, SerializerName } from '../../codec/codec.js';

/** Every serializer the command knows, in the order it lists them. */
export const SERIALIZER_NAMES: readonly SerializerName[] = ['json', 'cbor', 'msgpack'];

/** The npm package each optional serializer needs (package.json's optional peerDependencies). */
export const SERIALIZER_PACKAGES = { cbor: 'cbor-x', msgpack: 'msgpackr' } as const;

export type OptionalSerializerName = keyof typeof SERIALIZER_PACKAGES;

/** Loads rxwamp's CBOR or MessagePack serializer; rejects as import() does when its package is missing. */
export type SerializerImporter = (name: OptionalSerializerName) => Promise<Serializer>;

/** The entry points a user imports (rxwamp/cbor, rxwamp/msgpack), loaded only when asked for. */
export const importSerializer: SerializerImporter = async (name) =>
  name === 'cbor' ? (await import('../../cbor.js')).cbor : (await import('../../msgpack.js')).msgpack;

/** A serializer that was asked for and cannot be offered; the message says what to install. */
export class SerializerUnavailable extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'SerializerUnavailable';
  }
}

/** The serializers the router will speak: their names (for the listening line) and RouterOptions.serializers. */
export interface LoadedSerializers {
  readonly names: readonly SerializerName[];
  readonly serializers: readonly (Serializer | 'json')[];
}

/**
 * Loads the serializers named on the command line; `requested` undefined means every one whose
 * package is installed (JSON always). One that was asked for and whose package is missing is a
 * SerializerUnavailable naming the package to install; so is any other failure to load one.
 */
export async function loadSerializers(
  requested: readonly SerializerName[] | undefined,
  importer: SerializerImporter = importSerializer,
): Promise<LoadedSerializers> {
  const names: SerializerName[] = [];
  const serializers: (Serializer | 'json')[] = [];
  for (const name of requested ?? SERIALIZER_NAMES) {
    if (name === 'json') {
      names.push(name);
      serializers.push('json');
      continue;
    }
    const packageName = SERIALIZER_PACKAGES[name];
    try {
      serializers.push(await importer(name));
      names.push(name);
    } catch (error) {
      if (!isMissingPackage(error, packageName)) {
        throw new SerializerUnavailable(`cannot load the ${name} serializer (${packageName}): ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      // Not asked for by name: offered only when its package is installed.
      if (requested !== undefined)
        throw new SerializerUnavailable(`the ${name} serializer needs the ${packageName} package: npm install ${packageName}`, { cause: error });
    }
  }
  return { names, serializers };
}

/**
 * Whether import() failed because `packageName` itself is not installed: Node says
 * "Cannot find package 'cbor-x' imported from …" (ES modules, ERR_MODULE_NOT_FOUND) or
 * "Cannot find module 'cbor-x'" (CommonJS, MODULE_NOT_FOUND).
 */
function isMissingPackage(error: unknown, packageName: string): boolean {
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && typeof message === 'string' && message.includes(`'${packageName}'`);
}
