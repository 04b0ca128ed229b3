import { ProtocolViolation, type Dict } from '../../protocol/index.js';

export type ClientRole = 'caller' | 'callee' | 'publisher' | 'subscriber';
const CLIENT_ROLES: readonly ClientRole[] = ['caller', 'callee', 'publisher', 'subscriber'];
/** Real clients announce a dozen features per role; thousands are an attempt to make the router work. */
export const MAX_FEATURES_PER_ROLE = 256;

/**
 * The roles and features a client announced in HELLO.Details.roles (spec §4.2, §5).
 * A missing feature counts as false.
 */
export class PeerRoles {
  private constructor(private readonly features: ReadonlyMap<ClientRole, ReadonlySet<string>>) {}

  /** Reads HELLO.Details.roles; a HELLO without any known role is a protocol violation. */
  static fromHello(details: Dict): PeerRoles {
    const roles = details['roles'];
    if (typeof roles !== 'object' || roles === null || Array.isArray(roles)) {
      throw new ProtocolViolation('HELLO.Details.roles must be a dict');
    }
    const features = new Map<ClientRole, Set<string>>();
    for (const role of CLIENT_ROLES) {
      const entry = (roles as Dict)[role];
      if (entry === undefined) continue;
      const announced = new Set<string>();
      const featureDict = typeof entry === 'object' && entry !== null ? (entry as Dict)['features'] : undefined;
      if (typeof featureDict === 'object' && featureDict !== null) {
        const names = Object.keys(featureDict);
        if (names.length > MAX_FEATURES_PER_ROLE) {
          throw new ProtocolViolation(`HELLO.Details.roles.${role}.features has ${names.length} keys; at most ${MAX_FEATURES_PER_ROLE} are accepted`);
        }
        for (const name of names) {
          if ((featureDict as Dict)[name] === true) announced.add(name);
        }
      }
      // The progressive-invocations section spells it call_cancelling (errata §12.1).
      if (announced.has('call_cancelling')) announced.add('call_canceling');
      features.set(role, announced);
    }
    if (features.size === 0) throw new ProtocolViolation('HELLO.Details.roles announces none of caller, callee, publisher, subscriber');
    return new PeerRoles(features);
  }

  has(role: ClientRole, feature: string): boolean {
    return this.features.get(role)?.has(feature) ?? false;
  }
}
