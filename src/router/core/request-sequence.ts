import { MAX_ID, ProtocolViolation } from '../../protocol/index.js';

/**
 * The watermark of one session's new request ids (§1.5, §6.2): they must run 1, 2, 3, … (wrapping
 * after 2^53), one sequence shared by every request type.
 */
export class RequestSequence {
  private last = 0;

  /** A new session (WELCOME) starts over at 1. */
  reset(): void {
    this.last = 0;
  }

  /**
   * Takes `id` when it is the next new one and says whether it was. A CALL whose id is not
   * new may still be a progressive-invocation chunk; the dealer decides.
   */
  takeIfNext(id: number): boolean {
    if (id !== this.expected()) return false;
    this.last = id;
    return true;
  }

  /** Takes `id`, which must be the next new one. */
  take(id: number): void {
    if (!this.takeIfNext(id)) throw new ProtocolViolation(`request id ${id} is out of sequence (expected ${this.expected()})`);
  }

  private expected(): number {
    return this.last >= MAX_ID ? 1 : this.last + 1;
  }
}
