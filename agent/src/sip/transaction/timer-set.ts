/**
 * Named one-shot timers of one transaction; clearing all on termination avoids leaks. A
 * transaction has at most a handful of names (A/B/D/M, E/F/K…), so they live in two small
 * parallel arrays scanned linearly: no Map per transaction, nothing allocated per stop.
 */
type Handle = ReturnType<typeof setTimeout>;

export class TimerSet<Name extends string> {
  private names: Name[] = [];
  /** Running timer per name, or undefined when stopped / fired. */
  private handles: (Handle | undefined)[] = [];

  start(name: Name, ms: number, fn: () => void): void {
    let i = this.names.indexOf(name);
    if (i < 0) {
      i = this.names.length;
      this.names.push(name);
      this.handles.push(undefined);
    } else {
      const h = this.handles[i];
      if (h !== undefined) clearTimeout(h);
    }
    const h = setTimeout(() => {
      if (this.handles[i] === h) this.handles[i] = undefined;
      fn();
    }, ms);
    // Transactions must not keep a process alive on their own (the agent decides when to exit).
    (h as { unref?: () => void }).unref?.();
    this.handles[i] = h;
  }

  stop(name: Name): void {
    const i = this.names.indexOf(name);
    if (i < 0) return;
    const h = this.handles[i];
    if (h !== undefined) {
      clearTimeout(h);
      this.handles[i] = undefined;
    }
  }

  has(name: Name): boolean {
    const i = this.names.indexOf(name);
    return i >= 0 && this.handles[i] !== undefined;
  }

  clear(): void {
    for (let i = 0; i < this.handles.length; i++) {
      const h = this.handles[i];
      if (h !== undefined) {
        clearTimeout(h);
        this.handles[i] = undefined;
      }
    }
  }
}
