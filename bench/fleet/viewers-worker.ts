/**
 * The fleet benchmark's dashboard viewers, on their own thread (as real viewers are separate
 * browsers): N sockets subscribed to the run, each tick parsed here. Probe updates (mos in [1, 2),
 * see synthetic-agent.ts probeMos) go back to the main thread with their receipt time as an epoch
 * clock (performance.timeOrigin + now), batched every 100 ms, so neither the agents' work nor the
 * viewers' parsing delays the other's timestamps.
 */
declare const self: Worker;

export interface ViewerStart {
  url: string;
  count: number;
}
/** [viewer index, endpoint id, mos shown, epoch ms of receipt] */
export type ProbeSeen = [number, string, number, number];
export type ViewerReport = { type: "probes"; seen: ProbeSeen[]; ticks: number } | { type: "open"; sockets: number };

let pending: ProbeSeen[] = [];
let ticks = 0;
const sockets: WebSocket[] = [];

self.onmessage = (ev: MessageEvent<ViewerStart | "close">) => {
  if (ev.data === "close") {
    for (const ws of sockets) ws.close();
    flush();
    return;
  }
  const { url, count } = ev.data;
  let open = 0;
  for (let i = 0; i < count; i++) {
    const viewer = i;
    const ws = new WebSocket(url);
    ws.onopen = () => ++open === count && self.postMessage({ type: "open", sockets: open } satisfies ViewerReport);
    ws.onmessage = (m) => {
      const at = performance.timeOrigin + performance.now();
      const msg = JSON.parse(String(m.data));
      if (msg.type !== "tick") return;
      ticks++;
      for (const e of msg.endpoints) if (e.mos !== null && e.mos < 2) pending.push([viewer, e.id, e.mos, at]);
    };
    sockets.push(ws);
  }
  setInterval(flush, 100);
};

function flush() {
  if (pending.length === 0 && ticks === 0) return;
  self.postMessage({ type: "probes", seen: pending, ticks } satisfies ViewerReport);
  pending = [];
  ticks = 0;
}
