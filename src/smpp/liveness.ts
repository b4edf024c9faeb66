/**
 * Whether a bound session's peer still answers. "Bound" is not "alive": a peer that abandoned its socket (or
 * stopped reading) keeps the session bound until the keepalive notices, enquire_link period plus response
 * timeout (30 s + 30 s by default). Here an unanswered message makes the session *suspect* at once; an
 * enquire_link probe goes out, and the session closes when that goes unanswered too. Any response clears it.
 * It also keeps the onRoom() subscribers of the session, called on every change that may let a message go.
 */
import type { Logger } from '../log.js';

export interface LivenessDeps {
  /** The session's logger now (it gains the link once bound). */
  log(): Logger;
  /** Sends enquire_link outside the window with this timeout; rejects when unanswered. */
  probe(timeoutMs: number): Promise<unknown>;
  /** Bound now (probes and closing only make sense then). */
  bound(): boolean;
  close(): void;
}

export class Liveness {
  readonly #deps: LivenessDeps;
  #suspect = false;
  #probing = false;
  readonly #watchers = new Set<() => void>();

  constructor(deps: LivenessDeps) {
    this.#deps = deps;
  }

  get suspect(): boolean {
    return this.#suspect;
  }

  /** A message went unanswered within timeoutMs; the probe gets the same time. */
  timedOut(timeoutMs: number): void {
    if (!this.#deps.bound() || this.#suspect) return;
    this.#suspect = true;
    this.notify();
    this.#deps.log().warn({ timeoutMs }, 'a message went unanswered; session suspect, probing with enquire_link');
    if (this.#probing) return;
    this.#probing = true;
    this.#deps.probe(timeoutMs).then(
      () => {
        this.#probing = false;
        this.answered();
      },
      (e: unknown) => {
        this.#probing = false;
        if (!this.#suspect || !this.#deps.bound()) return; // answered meanwhile, or already going
        this.#deps.log().warn({ err: e }, 'enquire_link probe unanswered; closing the session');
        this.#deps.close();
      },
    );
  }

  /** A response arrived: the peer reads and answers. */
  answered(): void {
    if (!this.#suspect) return;
    this.#suspect = false;
    this.#deps.log().info('the peer answers again; session no longer suspect');
    this.notify();
  }

  /** Calls cb at every notify() until the returned function unsubscribes it. */
  subscribe(cb: () => void): () => void {
    this.#watchers.add(cb);
    return () => this.#watchers.delete(cb);
  }

  /** Room in the window, suspicion set or cleared, the session ending: wake whoever waits to choose again. */
  notify(): void {
    if (this.#watchers.size) for (const w of [...this.#watchers]) w();
  }
}
