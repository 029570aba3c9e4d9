/**
 * Entry of a media worker thread (media-pool.ts starts it): one MediaHost with its own scheduler
 * and sockets, driven by small messages from the pool. Replies carry the request's `seq`.
 */
import { parentPort } from "node:worker_threads";
import { MediaHost, type HostSessionOptions } from "./media-host.js";
import type { RemoteMedia } from "./rtp-session.js";

export type WorkerRequest =
  | { t: "open"; seq: number; id: number; opts: HostSessionOptions }
  | { t: "start"; id: number; remote?: RemoteMedia }
  | { t: "stop"; id: number }
  | { t: "report"; seq: number; sample: boolean }
  | { t: "quiesce"; seq: number }
  | { t: "close"; seq: number };

export type WorkerReply =
  | { t: "opened"; seq: number; port: number; rtcpPort: number }
  | { t: "error"; seq: number; message: string }
  | { t: "report"; seq: number; report: import("./media-host.js").HostReport }
  | { t: "quiesced"; seq: number }
  | { t: "closed"; seq: number };

if (parentPort) {
  const port = parentPort;
  const host = new MediaHost();
  const reply = (m: WorkerReply): void => port.postMessage(m);
  port.on("message", (m: WorkerRequest) => {
    switch (m.t) {
      case "open":
        host.open(m.id, m.opts).then(
          (s) => reply({ t: "opened", seq: m.seq, port: s.localPort, rtcpPort: s.localRtcpPort }),
          (e: unknown) => reply({ t: "error", seq: m.seq, message: e instanceof Error ? e.message : String(e) }),
        );
        break;
      case "start":
        try {
          host.start(m.id, m.remote);
        } catch {
          // A session that cannot start is reported by its (absent) packets, not by killing the thread.
        }
        break;
      case "stop":
        host.stop(m.id);
        break;
      case "report":
        host.sampleSessions = m.sample;
        void host.reportSliced().then((report) => reply({ t: "report", seq: m.seq, report }));
        break;
      case "quiesce":
        host.quiesce();
        reply({ t: "quiesced", seq: m.seq });
        break;
      case "close":
        host.close();
        reply({ t: "closed", seq: m.seq });
        break;
    }
  });
}
