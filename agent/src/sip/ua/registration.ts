/**
 * Registration (RFC 3261 §10.2): one Call-ID for all REGISTERs of this UA with increasing CSeq,
 * digest challenge answered once, granted expiry read from our Contact's expires param or the
 * Expires header (§10.2.4).
 */
import type { SipResponse } from "../message.js";
import { parseSipUri } from "../uri.js";
import { buildRequest, ourVia } from "./build.js";
import type { UserAgentCore } from "./core.js";
import { newCallId, newTag } from "./ids.js";
import type { RegisterResult } from "./types.js";

export class Registration {
  private callId: string;
  private fromTag = newTag();
  private cseq = 0;

  constructor(private core: UserAgentCore) {
    this.callId = newCallId(core.host);
  }

  send(expires: number): Promise<RegisterResult> {
    const core = this.core;
    const started = performance.now();
    const req = buildRequest({
      method: "REGISTER",
      uri: `sip:${core.opts.domain}`,
      via: ourVia(core.host, core.port, core.transport.protocol),
      from: `${core.identity};tag=${this.fromTag}`,
      to: core.identity,
      callId: this.callId,
      cseq: ++this.cseq,
      contact: core.contact,
      userAgent: core.opts.userAgent,
      extra: [["Expires", String(expires)], ["Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"]],
    });
    return new Promise((resolve) => {
      core.sendAuthed(req, core.server, {
        onSent: (r) => {
          this.cseq = r.cseq?.seq ?? this.cseq;
        },
        onFinal: (res) => {
          if (res.status >= 200 && res.status < 300) {
            resolve({ ok: true, statusCode: res.status, expires: this.granted(res, expires), timeMs: performance.now() - started });
          } else resolve({ ok: false, statusCode: res.status, reason: res.reason });
        },
        onTimeout: () => resolve({ ok: false, statusCode: null, reason: "no response to REGISTER (timeout)" }),
      });
    });
  }

  /** §10.2.4: the expires param of the Contact that is ours, else the Expires header, else what we asked. */
  private granted(res: SipResponse, asked: number): number {
    const mine = parseSipUri(this.core.contact.slice(1, -1));
    for (const c of res.contacts ?? []) {
      if (c === "*") continue;
      const u = parseSipUri(c.uri);
      if (u && mine && u.host === mine.host && (u.port ?? 5060) === mine.port && u.user === mine.user && c.expires !== null) return c.expires;
    }
    return res.expires ?? asked;
  }
}
