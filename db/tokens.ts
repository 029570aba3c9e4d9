/**
 * API and agent tokens. The secret is shown once; only its SHA-256 is stored, so a leaked database
 * does not leak usable tokens. WebCrypto only, so the Worker and Node share this module.
 */
export const TOKEN_PREFIX = { api: "rf_", agent: "rfa_" } as const;
export type TokenKind = keyof typeof TOKEN_PREFIX;

export function generateToken(kind: TokenKind): string {
  const b = new Uint8Array(kind === "agent" ? 32 : 24);
  crypto.getRandomValues(b);
  return TOKEN_PREFIX[kind] + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (x) => x.toString(16).padStart(2, "0")).join("");
}

/** What the UI shows for a token after creation: its kind prefix and first 6 secret characters. */
export function tokenDisplayPrefix(token: string): string {
  const kind = token.startsWith(TOKEN_PREFIX.agent) ? TOKEN_PREFIX.agent : TOKEN_PREFIX.api;
  return token.slice(0, kind.length + 6);
}
