/** Named one-shot timers of one transaction; clearing all on termination avoids leaks. */
export class TimerSet<Name extends string> {
  private handles = new Map<Name, ReturnType<typeof setTimeout>>();

  start(name: Name, ms: number, fn: () => void): void {
    this.stop(name);
    const h = setTimeout(() => {
      this.handles.delete(name);
      fn();
    }, ms);
    // Transactions must not keep a process alive on their own (the agent decides when to exit).
    (h as { unref?: () => void }).unref?.();
    this.handles.set(name, h);
  }

  stop(name: Name): void {
    const h = this.handles.get(name);
    if (h !== undefined) {
      clearTimeout(h);
      this.handles.delete(name);
    }
  }

  has(name: Name): boolean {
    return this.handles.has(name);
  }

  clear(): void {
    for (const h of this.handles.values()) clearTimeout(h);
    this.handles.clear();
  }
}
