/** The endpoint's SIP port, over our own stack (agent/src/sip). */
import { createUserAgent } from "../sip/index.js";
import type { UserAgentFactory, UserAgentPort } from "./ports.js";

export function userAgentFactory(): UserAgentFactory {
  return {
    async create(o): Promise<UserAgentPort> {
      const ua = await createUserAgent({
        localAddress: o.localAddress,
        server: o.server,
        tls: o.tls,
        domain: o.domain,
        account: { username: o.account.username, authUsername: o.account.authUsername, password: o.account.password, realm: o.account.realm },
        onTrace: o.onTrace,
        userAgent: "Ringfleet",
      });
      return {
        // The binding is refreshed before the grant lapses (RFC 3261 §10.2.4) for calls that outlast
        // it; unregister() (teardown) stops that and removes the binding with Expires: 0.
        register: (expires) => ua.register({ expires, refresh: true }),
        unregister: async () => {
          await ua.unregister();
        },
        invite: (target, sdp, onProvisional) => {
          const call = ua.invite(target, sdp, { onProvisional: (code, reason) => onProvisional(code, reason) });
          // The port's onEnded means "the other side hung up"; our own BYE/CANCEL also end the dialog.
          return {
            final: call.final, cancel: () => call.cancel(), bye: () => call.bye(), onEnded: (cb) => call.onEnded((e) => e.by === "remote" && cb()),
            onInfo: (cb) => call.onInfo((e) => cb(e.contentType, e.body)),
          };
        },
        onIncomingCall: (cb) =>
          ua.onIncomingCall((call) =>
            cb({
              remoteSdp: call.remoteSdp,
              ringing: () => call.ringing(),
              answer: (sdp) => call.answer(sdp),
              acked: () => call.acked(),
              reject: (code, reason) => call.reject(code, reason),
              bye: () => call.bye(),
              onEnded: (f) => call.onEnded((e) => e.by === "remote" && f()),
              onInfo: (f) => call.onInfo((e) => f(e.contentType, e.body)),
            }),
          ),
        close: () => void ua.close(),
      };
    },
  };
}
