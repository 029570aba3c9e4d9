/** Solid glue: the live socket feeding the pure reducer. */
import { createSignal, onCleanup, type Accessor } from "solid-js";
import { connectLive, type LiveConnection } from "./live-socket.js";
import { emptyLiveState, reduceLive, type LiveState } from "./live-state.js";

export function useLiveRun(runId: string, token: string | null, isOver?: () => boolean): {
  live: Accessor<LiveState>;
  connection: Accessor<LiveConnection>;
  connectionDetail: Accessor<string | undefined>;
} {
  const [live, setLive] = createSignal<LiveState>(emptyLiveState());
  const [connection, setConnection] = createSignal<LiveConnection>("connecting");
  const [detail, setDetail] = createSignal<string | undefined>();
  // No token: the session cookie authenticates the socket (same origin).
  const sock = connectLive(runId, token, {
    onMessage: (msg) => setLive((s) => reduceLive(s, msg)),
    onConnection: (state, d) => {
      setConnection(state);
      setDetail(d);
    },
  }, { isOver });
  onCleanup(() => sock.close());
  return { live, connection, connectionDetail: detail };
}

/** A signal of `Date.now()` updated every `periodMs`. */
export function useNow(periodMs = 1000): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const id = setInterval(() => setNow(Date.now()), periodMs);
  onCleanup(() => clearInterval(id));
  return now;
}
