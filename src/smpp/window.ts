/**
 * The window of one session: how many of our requests may wait for a response at once [Wiki-SMPP; PROTOCOL §1
 * Window], each with its own response timer [S34 §7.2 response_timer]. node-smpp has neither (LIBRARIES §2).
 * A full window makes acquire() wait; a timeout rejects SCGW_SMPP_TIMEOUT; close() rejects everything
 * outstanding or waiting with SCGW_SMPP_CLOSED. A caller that must not wait (the mt worker, which can pick
 * another session) asks hasRoom first; onRoom tells its owner when a slot frees up again.
 */
import { ScgwError } from '../errors.js';

interface Pending<T> {
  resolve(value: T): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

export interface WindowOptions {
  /** Outstanding requests allowed; Infinity for control traffic (bind, enquire_link, unbind). */
  size: number;
  timeoutMs: number;
  /** Called whenever a slot may have become free (a release, a resize) and on close. */
  onRoom?: () => void;
  /** A request timed out; called before its slot is released, so whoever gets the slot knows already. */
  onTimeout?: (timeoutMs: number) => void;
}

export class RequestWindow<T> {
  #size: number;
  readonly #timeoutMs: number;
  readonly #onRoom: (() => void) | undefined;
  readonly #onTimeout: ((timeoutMs: number) => void) | undefined;
  #taken = 0;
  readonly #pending = new Map<number, Pending<T>>();
  readonly #waiters: Waiter[] = [];
  #closed: Error | undefined;

  constructor(opts: WindowOptions) {
    this.#size = Math.max(1, opts.size);
    this.#timeoutMs = opts.timeoutMs;
    this.#onRoom = opts.onRoom;
    this.#onTimeout = opts.onTimeout;
  }

  /** Slots taken: acquired and not yet released or settled. */
  get inFlight(): number {
    return this.#taken;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  get size(): number {
    return this.#size;
  }

  /** acquire() would take a slot at once: open, not full, nobody queued ahead. */
  get hasRoom(): boolean {
    return !this.#closed && this.#taken < this.#size && this.#waiters.length === 0;
  }

  /** A bind may grant a different window than the session started with. */
  resize(size: number): void {
    this.#size = Math.max(1, size);
    this.#wake();
  }

  /** Takes a slot, waiting while the window is full. Pair with track() or release(). */
  acquire(): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (this.#taken < this.#size && this.#waiters.length === 0) {
      this.#taken++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Gives back a slot that was acquired but never became a request (the encode failed, the socket was gone). */
  release(): void {
    if (this.#taken > 0) this.#taken--;
    this.#wake();
  }

  /** The acquired slot now waits for the response with this sequence number; its timer starts here. */
  track(sequenceNumber: number, timeoutMs: number = this.#timeoutMs): Promise<T> {
    if (this.#closed) {
      this.release();
      return Promise.reject(this.#closed);
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onTimeout?.(timeoutMs);
        this.#finish(sequenceNumber)?.reject(
          new ScgwError('SCGW_SMPP_TIMEOUT', `no response to sequence ${sequenceNumber} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.#pending.set(sequenceNumber, { resolve, reject, timer });
    });
  }

  has(sequenceNumber: number): boolean {
    return this.#pending.has(sequenceNumber);
  }

  /** Completes a request with its response; false when nothing waits for this sequence number (late or foreign). */
  settle(sequenceNumber: number, value: T): boolean {
    const p = this.#finish(sequenceNumber);
    p?.resolve(value);
    return p !== undefined;
  }

  fail(sequenceNumber: number, err: Error): boolean {
    const p = this.#finish(sequenceNumber);
    p?.reject(err);
    return p !== undefined;
  }

  /** Rejects every outstanding and waiting request; later acquire() calls reject too. Idempotent. */
  close(reason?: Error): void {
    if (this.#closed) return;
    const err = reason ?? new ScgwError('SCGW_SMPP_CLOSED', 'session closed');
    this.#closed = err;
    for (const [seq, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(seq);
      p.reject(err);
    }
    this.#taken = 0;
    for (const w of this.#waiters.splice(0)) w.reject(err);
    this.#onRoom?.();
  }

  #finish(sequenceNumber: number): Pending<T> | undefined {
    const p = this.#pending.get(sequenceNumber);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.#pending.delete(sequenceNumber);
    this.release();
    return p;
  }

  #wake(): void {
    while (this.#waiters.length > 0 && this.#taken < this.#size) {
      this.#taken++;
      this.#waiters.shift()?.resolve();
    }
    if (this.#taken < this.#size) this.#onRoom?.();
  }
}
