/**
 * Registration (RFC 3261 §10.2): one Call-ID for all REGISTERs of this UA with increasing CSeq
 * (§10.2.4), digest challenges answered by the core, granted expiry read from our Contact's
 * expires param or the Expires header (§10.2.4), refresh before the grant runs out, and
 * de-registration with `Expires: 0` (§10.2.2).
 */
import type { SipResponse } from "../message.js";
import { registerRefreshDelayMs } from "../timers.js";
import { TimerSet } from "../transaction/timer-set.js";
import { parseSipUri } from "../uri.js";
import { ALLOW, buildRequest, ourVia } from "./build.js";
import type { UserAgentCore } from "./core.js";
import { newCallId, newTag } from "./ids.js";
import type { RegisterResult, RegistrationState } from "./types.js";

export class Registration {
  private callId: string;
  private fromTag = newTag();
  private cseq = 0;
  private timers = new TimerSet<"refresh">();
  /** What the last register() asked for; refreshes ask for the same (the registrar may grant less). */
  private asked = 0;
  /** Bumped by register()/unregister()/stop(): a refresh answered after that must not re-arm itself. */
  private generation = 0;
  readonly state: RegistrationState = { registered: false, expires: null, refreshes: 0 };
  onRefresh: ((r: RegisterResult) => void) | null = null;

  constructor(private core: UserAgentCore) {
    this.callId = newCallId(core.host);
  }

  /** REGISTER for `expires` s; with `refresh`, re-REGISTER before each grant lapses. */
  async register(expires: number, refresh: boolean): Promise<RegisterResult> {
    const gen = ++this.generation;
    this.timers.clear();
    this.asked = expires;
    this.state.refreshes = 0;
    const r = await this.send(expires, false);
    if (gen === this.generation && r.ok && r.expires > 0 && refresh) this.schedule(r.expires, gen);
    return r;
  }

  /** §10.2.2: Expires 0 removes our binding; no more refreshes. */
  unregister(): Promise<RegisterResult> {
    this.generation++;
    this.timers.clear();
    return this.send(0, false);
  }

  /** Stops refreshing (UA closed). */
  stop(): void {
    this.generation++;
    this.timers.clear();
  }

  private schedule(grantedSec: number, gen: number): void {
    this.timers.start("refresh", registerRefreshDelayMs(grantedSec, this.core.layer.timers.F), async () => {
      if (gen !== this.generation) return;
      const r = await this.send(this.asked, true);
      if (gen !== this.generation) return;
      if (r.ok) this.state.refreshes++;
      this.onRefresh?.(r);
      // A failed refresh is reported, not retried in a loop: the caller decides (register() again).
      if (r.ok && r.expires > 0) this.schedule(r.expires, gen);
    });
  }

  private send(expires: number, isRefresh: boolean): Promise<RegisterResult> {
    const core = this.core;
    const started = performance.now();
    const uri = `sip:${core.opts.domain}`;
    // A refresh re-uses the last nonce with the next nonce count (RFC 3261 §22.3): one round trip
    // instead of two while the registrar still accepts the nonce, a `stale=true` 401 when not.
    const auth = isRefresh ? core.preemptiveAuth("Authorization", "REGISTER", uri) : null;
    const extra: [string, string][] = [["Expires", String(expires)], ["Allow", ALLOW]];
    if (auth) extra.push([auth.header, auth.value]);
    const req = buildRequest({
      method: "REGISTER",
      uri,
      via: ourVia(core.host, core.port, core.transport.protocol),
      from: `${core.identity};tag=${this.fromTag}`,
      to: core.identity,
      callId: this.callId,
      cseq: ++this.cseq,
      contact: core.contact,
      userAgent: core.opts.userAgent,
      extra,
    });
    return new Promise((resolve) => {
      core.sendAuthed(req, core.server, {
        onSent: (r) => {
          this.cseq = r.cseq?.seq ?? this.cseq;
        },
        onFinal: (res) => {
          if (res.status >= 200 && res.status < 300) {
            const granted = expires === 0 ? 0 : this.granted(res, expires);
            this.state.registered = granted > 0;
            this.state.expires = granted;
            resolve({ ok: true, statusCode: res.status, expires: granted, timeMs: performance.now() - started });
          } else {
            if (isRefresh) this.state.registered = false;
            resolve({ ok: false, statusCode: res.status, reason: res.reason });
          }
        },
        onTimeout: (transportError) => {
          if (isRefresh) this.state.registered = false;
          resolve({ ok: false, statusCode: null, reason: transportError ? `cannot reach the registrar: ${transportError}` : "no response to REGISTER (timeout)" });
        },
      });
    });
  }

  private ownContact: { text: string; uri: ReturnType<typeof parseSipUri> } | null = null;

  /** Our Contact's URI parsed, once per Contact value (it is the same for every REGISTER). */
  private ownContactUri(): ReturnType<typeof parseSipUri> {
    const text = this.core.contact;
    if (this.ownContact?.text !== text) this.ownContact = { text, uri: parseSipUri(text.slice(1, -1)) };
    return this.ownContact.uri;
  }

  /** §10.2.4: the expires param of the Contact that is ours, else the Expires header, else what we asked. */
  private granted(res: SipResponse, asked: number): number {
    const mine = this.ownContactUri();
    for (const c of res.contacts ?? []) {
      if (c === "*") continue;
      const u = parseSipUri(c.uri);
      if (u && mine && u.host === mine.host && (u.port ?? 5060) === mine.port && u.user === mine.user && c.expires !== null) return c.expires;
    }
    return res.expires ?? asked;
  }
}
