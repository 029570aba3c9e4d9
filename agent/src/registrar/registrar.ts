/**
 * REGISTER handling (RFC 3261 §10.3) with digest authentication (§22.4): 401 challenge,
 * 403 for an unknown user, a wrong password or credentials for another user than the To AoR.
 */
import { challengeHeader, type NonceIssuer, parseCredentials, verifyDigest } from "../sip/digest.js";
import type { SipRequest, SipResponse } from "../sip/message.js";
import { buildResponse } from "../sip/ua/build.js";
import { parseSipUri } from "../sip/uri.js";
import type { LocationTable } from "./location.js";

export const MAX_EXPIRES = 3600;
export const DEFAULT_EXPIRES = 3600;

export interface AuthContext {
  realm: string;
  nonces: NonceIssuer;
  passwords: Map<string, string>;
}

export type AuthOutcome = { ok: true; username: string } | { ok: false; response: SipResponse };

/**
 * Checks Authorization (REGISTER, 401) or Proxy-Authorization (INVITE, 407) credentials.
 * Missing / foreign-realm / unknown-nonce credentials get a fresh challenge; stale nonces a
 * challenge with stale=true (RFC 2617 §3.2.1); a wrong password or unknown user gets 403.
 */
export function authenticate(req: SipRequest, ctx: AuthContext, proxy: boolean): AuthOutcome {
  const code = proxy ? 407 : 401;
  const challenge = (stale = false): AuthOutcome => ({
    ok: false,
    response: buildResponse(req, code, proxy ? "Proxy Authentication Required" : "Unauthorized", {
      extra: [[proxy ? "Proxy-Authenticate" : "WWW-Authenticate", challengeHeader(ctx.realm, ctx.nonces.issue(), { stale })]],
    }),
  });
  const forbidden = (): AuthOutcome => ({ ok: false, response: buildResponse(req, 403, "Forbidden") });
  const values = req.headers.getAll(proxy ? "proxy-authorization" : "authorization");
  const creds = values.map(parseCredentials).find((c) => c !== null && c.realm === ctx.realm) ?? null;
  if (!creds) return challenge();
  const password = ctx.passwords.get(creds.username);
  if (password === undefined) return forbidden();
  const nonce = ctx.nonces.check(creds.nonce);
  if (nonce === "bad") return challenge();
  if (!verifyDigest(creds, req.method, password)) return forbidden();
  if (nonce === "stale") return challenge(true);
  return { ok: true, username: creds.username };
}

export function handleRegister(req: SipRequest, ctx: AuthContext, location: LocationTable, now = Date.now()): SipResponse {
  const auth = authenticate(req, ctx, false);
  if (!auth.ok) return auth.response;
  const to = req.to ? parseSipUri(req.to.uri) : null;
  if (!to || to.user === null) return buildResponse(req, 400, "Bad To");
  // The credentials must be those of the AoR being registered (auth-user mismatch → 403).
  if (to.user !== auth.username) return buildResponse(req, 403, "Forbidden auth ID");
  const contacts = req.contacts;
  if (contacts === null) return buildResponse(req, 400, "Bad Contact");
  const headerExpires = req.expires;
  if (contacts.includes("*")) {
    // §10.3 step 6: "*" only with Expires: 0 and alone.
    if (contacts.length !== 1 || headerExpires !== 0) return buildResponse(req, 400, "Invalid wildcard");
    location.removeAll(to.user);
  } else {
    for (const c of contacts) {
      if (c === "*") continue;
      const expires = Math.min(c.expires ?? headerExpires ?? DEFAULT_EXPIRES, MAX_EXPIRES);
      location.update(to.user, { contact: c.uri, uri: c.uri, expiresAt: now + expires * 1000, callId: req.callId, cseq: req.cseq?.seq ?? 0 });
    }
  }
  const extra: [string, string][] = location
    .lookup(to.user)
    .map((b) => ["Contact", `<${b.uri}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`]);
  return buildResponse(req, 200, "OK", { extra });
}
