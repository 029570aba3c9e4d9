/**
 * A call's media failing after negotiation (a DTLS handshake that fails, a certificate that does
 * not match its a=fingerprint): set once, with listeners called once, late ones at once. Shared by
 * the session that detects it (rtp-session.ts) and the main thread's port of a session on a media
 * worker (pooled-port.ts).
 */
export class FailureSignal {
  private why: string | null = null;
  private readonly listeners: Array<(reason: string) => void> = [];

  /** Why the media failed, or null. */
  get reason(): string | null {
    return this.why;
  }

  on(cb: (reason: string) => void): void {
    if (this.why !== null) cb(this.why);
    else this.listeners.push(cb);
  }

  /** Sets the reason and tells the listeners; a second failure is ignored. */
  fire(reason: string): void {
    if (this.why !== null) return;
    this.why = reason;
    for (const cb of this.listeners.splice(0)) {
      try {
        cb(reason);
      } catch {
        // A listener's bug must not break the media path or the pool's message loop.
      }
    }
  }
}
