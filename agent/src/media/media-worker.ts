/**
 * Entry of a media worker thread (media-pool.ts starts it): one MediaHost with its own scheduler
 * and sockets, driven by small messages from the pool. Replies carry the request's `seq`; a
 * session's media failure (DTLS) is pushed unasked as `failure`.
 *
 * Two kinds of session live here: the benchmark's (`open`: bind, then `start` with a given remote)
 * and an agent endpoint's (`openPort`: the endpoint's MediaOpenOptions, then SDP offer/answer
 * through `sdp` requests, `start` without a remote, `sample` once a second, `sipInfo`, `stop`).
 */
import { parentPort } from "node:worker_threads";
import { mediaCounters } from "./counters.js";
import { MediaHost, type HostReport, type HostSessionOptions } from "./media-host.js";
import { sessionOptionsFor, type MediaOpenOptions } from "./port-options.js";
import type { RemoteMedia } from "./rtp-session.js";

export type SdpOp = { op: "offer" } | { op: "answer"; sdp: string } | { op: "applyAnswer"; sdp: string };
export type SdpResult = { ok: true; sdp?: string } | { ok: false; reason: string };
export type MediaCountersSnapshot = typeof mediaCounters;

export type WorkerRequest =
  | { t: "open"; seq: number; id: number; opts: HostSessionOptions }
  | { t: "openPort"; seq: number; id: number; opts: MediaOpenOptions }
  | { t: "sdp"; seq: number; id: number; sdp: SdpOp }
  | { t: "start"; id: number; remote?: RemoteMedia }
  | { t: "sipInfo"; id: number; contentType: string | undefined; body: string }
  | { t: "stop"; id: number }
  | { t: "sample"; seq: number; ids: number[]; nowMs: number }
  | { t: "report"; seq: number; sample: boolean }
  | { t: "quiesce"; seq: number }
  | { t: "close"; seq: number };

export type WorkerReply =
  | { t: "opened"; seq: number; port: number; rtcpPort: number }
  | { t: "error"; seq: number; message: string }
  | { t: "sdp"; seq: number; result: SdpResult }
  | { t: "samples"; seq: number; rows: Float64Array; counters: MediaCountersSnapshot }
  | { t: "report"; seq: number; report: HostReport }
  | { t: "quiesced"; seq: number }
  | { t: "closed"; seq: number }
  | { t: "failure"; seq: 0; id: number; reason: string };

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

if (parentPort) {
  const port = parentPort;
  const host = new MediaHost();
  const reply = (m: WorkerReply, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? []);
  const opened = (seq: number) => (s: { localPort: number; localRtcpPort: number }) => reply({ t: "opened", seq, port: s.localPort, rtcpPort: s.localRtcpPort });
  const failed = (seq: number) => (e: unknown) => reply({ t: "error", seq, message: message(e) });
  port.on("message", (m: WorkerRequest) => {
    switch (m.t) {
      case "open":
        host.open(m.id, m.opts).then(opened(m.seq), failed(m.seq));
        break;
      case "openPort":
        sessionOptionsFor(m.opts)
          .then((o) => host.open(m.id, o))
          .then((s) => {
            s.onFailure((reason) => reply({ t: "failure", seq: 0, id: m.id, reason }));
            return s;
          })
          .then(opened(m.seq), failed(m.seq));
        break;
      case "sdp": {
        const s = host.session(m.id);
        let result: SdpResult;
        try {
          if (!s) result = { ok: false, reason: "media session is gone" };
          else if (m.sdp.op === "offer") result = { ok: true, sdp: s.offer() };
          else if (m.sdp.op === "answer") result = s.answer(m.sdp.sdp);
          else result = s.applyAnswer(m.sdp.sdp);
        } catch (e) {
          result = { ok: false, reason: message(e) };
        }
        reply({ t: "sdp", seq: m.seq, result });
        break;
      }
      case "start":
        try {
          host.start(m.id, m.remote);
        } catch {
          // A session that cannot start is reported by its (absent) packets, not by killing the thread.
        }
        break;
      case "sipInfo":
        host.session(m.id)?.onSipInfo(m.contentType, m.body);
        break;
      case "stop":
        host.stop(m.id);
        break;
      case "sample":
        void host.sampleRows(m.ids, m.nowMs).then((rows) => reply({ t: "samples", seq: m.seq, rows, counters: { ...mediaCounters } }, [rows.buffer as ArrayBuffer]));
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
