/**
 * The agent measures itself (CPU, event-loop lag) and reports it with every frame, so a result
 * never blames the system under test for our own overload.
 */
import { cpus } from "node:os";

export class LoadMeter {
  private lastCpu = process.cpuUsage();
  private lastWall = performance.now();
  private maxLagMs = 0;
  private expected = performance.now() + 100;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor() {
    // A 100 ms heartbeat: how late it fires is the event loop's lag.
    this.timer = setInterval(() => {
      const now = performance.now();
      this.maxLagMs = Math.max(this.maxLagMs, now - this.expected);
      this.expected = now + 100;
    }, 100);
    this.timer.unref?.();
  }

  /** CPU as a fraction of one core since the last call, and the worst loop lag seen. */
  sample(): { cpu: number; loopLagMs: number; cores: number } {
    const cpu = process.cpuUsage(this.lastCpu);
    const now = performance.now();
    const wallUs = (now - this.lastWall) * 1000;
    this.lastCpu = process.cpuUsage();
    this.lastWall = now;
    const lag = this.maxLagMs;
    this.maxLagMs = 0;
    return { cpu: wallUs > 0 ? Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 1000 : 0, loopLagMs: Math.max(0, Math.round(lag)), cores: cpus().length };
  }

  stop() {
    clearInterval(this.timer);
  }
}
