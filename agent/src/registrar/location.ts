/**
 * The location service (RFC 3261 §10.3): address-of-record user → contact bindings with an
 * absolute expiry. Expired bindings are dropped lazily on access; nothing runs on a timer.
 */
export interface Binding {
  contact: string;
  /** The Contact header value as registered (for the 200's Contact list). */
  uri: string;
  expiresAt: number;
  callId: string;
  cseq: number;
}

export class LocationTable {
  private table = new Map<string, Binding[]>();

  constructor(private now: () => number = Date.now) {}

  /** Live bindings of a user, most recently registered first. */
  lookup(user: string): Binding[] {
    const list = this.table.get(user);
    if (!list) return [];
    const t = this.now();
    const live = list.filter((b) => b.expiresAt > t);
    if (live.length !== list.length) {
      if (live.length === 0) this.table.delete(user);
      else this.table.set(user, live);
    }
    return live;
  }

  /** Adds or refreshes a binding; expires 0 removes it (§10.3 step 7). */
  update(user: string, b: Binding): void {
    const list = this.lookup(user).filter((x) => x.uri !== b.uri);
    if (b.expiresAt > this.now()) list.unshift(b);
    if (list.length === 0) this.table.delete(user);
    else this.table.set(user, list);
  }

  removeAll(user: string): void {
    this.table.delete(user);
  }

  /** Number of live bindings across all users. */
  get size(): number {
    let n = 0;
    for (const user of [...this.table.keys()]) n += this.lookup(user).length;
    return n;
  }
}
