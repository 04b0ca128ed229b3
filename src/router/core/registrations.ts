import { ErrorUri, type MatchPolicy } from '../../protocol/index.js';
import { unusedGlobalId } from './global-ids.js';
import { PatternTable } from './pattern-table.js';
import { LimitErrorUri } from './session-limits.js';
import type { RoutedSession } from './routed-session.js';

export type InvokePolicy = 'single' | 'roundrobin' | 'random' | 'first' | 'last';
export const INVOKE_POLICIES: readonly InvokePolicy[] = ['single', 'roundrobin', 'random', 'first', 'last'];

export interface RegisteredCallee {
  readonly session: RoutedSession;
  /** REGISTER.Options.disclose_caller: every invocation names the caller (spec §6.5). */
  readonly discloseCaller: boolean;
}

/**
 * One procedure URI with its match policy, and the callees sharing it (spec §6.7), in the
 * order they registered.
 */
export class Registration {
  readonly callees: RegisteredCallee[] = [];
  private roundRobinNext = 0;

  constructor(
    readonly id: number,
    readonly uri: string,
    readonly match: MatchPolicy,
    readonly invoke: InvokePolicy,
  ) {}

  /** The callee the next call goes to, per the invocation policy. */
  pickCallee(): RegisteredCallee {
    const callees = this.callees;
    switch (this.invoke) {
      case 'single':
      case 'first':
        return callees[0]!;
      case 'last':
        return callees[callees.length - 1]!;
      case 'random':
        return callees[Math.floor(Math.random() * callees.length)]!;
      case 'roundrobin': {
        const callee = callees[this.roundRobinNext % callees.length]!;
        this.roundRobinNext = (this.roundRobinNext + 1) % callees.length;
        return callee;
      }
    }
  }

  removeCallee(session: RoutedSession): void {
    const index = this.callees.findIndex((callee) => callee.session === session);
    if (index < 0) return;
    this.callees.splice(index, 1);
    // Keep the rotation where it was: the callee after the removed one is next.
    if (index < this.roundRobinNext) this.roundRobinNext--;
    if (this.roundRobinNext >= this.callees.length) this.roundRobinNext = 0;
  }
}

export type RegisterOutcome = { readonly registration: Registration } | { readonly error: string; readonly message?: string };

/** Every registration of one realm, by id and by (URI, match), plus what each session holds. */
export class RegistrationTable {
  private readonly byId = new Map<number, Registration>();
  private readonly byPattern = new PatternTable<Registration>();
  private readonly bySession = new Map<RoutedSession, Set<Registration>>();

  /** `maxPerSession`: how many registrations the session may hold (SessionLimits.maxRegistrations). */
  register(session: RoutedSession, uri: string, match: MatchPolicy, invoke: InvokePolicy, discloseCaller: boolean, maxPerSession: number): RegisterOutcome {
    let registration = this.byPattern.get(uri, match);
    const heldCount = this.bySession.get(session)?.size ?? 0;
    if (heldCount >= maxPerSession) {
      return { error: LimitErrorUri.tooManyRegistrations, message: `this session already holds ${heldCount} registrations, the router's limit` };
    }
    if (registration) {
      // The message names the procedure, so the one refusal among many restored registrations is found.
      const shown = `"${uri}"${match === 'exact' ? '' : ` (${match} match)`}`;
      if (registration.invoke === 'single' || invoke === 'single') {
        return {
          error: ErrorUri.procedureAlreadyExists,
          message: `${shown} is already registered${registration.invoke === 'single' ? ' (invoke single)' : `, shared with invoke ${registration.invoke}`}`,
        };
      }
      if (registration.invoke !== invoke) {
        return {
          error: 'wamp.error.procedure_exists_with_different_invocation_policy',
          message: `${shown} is registered with invoke ${registration.invoke}, not ${invoke}`,
        };
      }
      if (registration.callees.some((callee) => callee.session === session)) {
        return { error: ErrorUri.procedureAlreadyExists, message: `${shown} is already registered by this session` };
      }
    } else {
      registration = new Registration(unusedGlobalId(this.byId), uri, match, invoke);
      this.byId.set(registration.id, registration);
      this.byPattern.set(uri, match, registration);
    }
    registration.callees.push({ session, discloseCaller });
    let held = this.bySession.get(session);
    if (!held) this.bySession.set(session, (held = new Set()));
    held.add(registration);
    return { registration };
  }

  /** Removes the session from the registration; false when it is not one of its callees. */
  unregister(session: RoutedSession, registrationId: number): boolean {
    const registration = this.byId.get(registrationId);
    const held = this.bySession.get(session);
    if (!registration || !held?.has(registration)) return false;
    held.delete(registration);
    if (held.size === 0) this.bySession.delete(session);
    this.detach(registration, session);
    return true;
  }

  /** Drops everything the session registered (it left). */
  removeSession(session: RoutedSession): void {
    const held = this.bySession.get(session);
    if (!held) return;
    this.bySession.delete(session);
    for (const registration of held) this.detach(registration, session);
  }

  /** The registration a call to this URI goes to (spec §6.6), if any. */
  /** Every registration, in the order they were made. */
  all(): IterableIterator<Registration> {
    return this.byId.values();
  }

  match(uri: string): Registration | undefined {
    return this.byPattern.best(uri);
  }

  private detach(registration: Registration, session: RoutedSession): void {
    registration.removeCallee(session);
    if (registration.callees.length === 0) {
      this.byId.delete(registration.id);
      this.byPattern.delete(registration.uri, registration.match);
    }
  }
}
