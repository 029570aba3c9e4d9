import type { RunObject } from "./objects/RunObject.js";
import type { FleetObject } from "./objects/FleetObject.js";
import type { QuotaObject } from "./objects/QuotaObject.js";

export interface Env {
  /** libSQL URL: `http://127.0.0.1:8080` locally (sqld), `libsql://<db>.turso.io` in production. */
  DB_URL: string;
  /** Turso auth token (a Worker secret in production; unset locally). */
  DB_TOKEN?: string;
  /** Seconds without a heartbeat before an agent is OFFLINE (default 60). */
  AGENT_OFFLINE_AFTER_SEC?: string;
  /** Seconds an agent whose run socket dropped may take to rejoin before its open endpoints are OSERROR (default 30). */
  AGENT_REJOIN_SEC?: string;
  RUNS: DurableObjectNamespace<RunObject>;
  FLEETS: DurableObjectNamespace<FleetObject>;
  QUOTAS: DurableObjectNamespace<QuotaObject>;
  ASSETS?: Fetcher;
}
