/** Field errors for forms: from the API's `details.issues[]` and from the protocol's zod schemas (same paths). */
import type { z } from "zod";
import type { FieldIssue } from "../../../protocol/index.js";
import { ApiError } from "./api.js";

/** Dotted path → first message for it. */
export type FieldErrors = Record<string, string>;

export function issuesToErrors(issues: readonly FieldIssue[], prefix = ""): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    if (prefix && !i.path.startsWith(prefix)) continue;
    const key = i.path.slice(prefix.length);
    if (!(key in out)) out[key] = i.message;
  }
  return out;
}

/** Validate with a protocol schema: `null` when valid, else errors by dotted path (as the edge reports them). */
export function schemaErrors(schema: z.ZodType, value: unknown): FieldErrors | null {
  const r = schema.safeParse(value);
  if (r.success) return null;
  return issuesToErrors(r.error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message })));
}

/**
 * Split an API failure into messages beside known fields and one message for the rest
 * (the request's own message when no issue names a field shown on the form).
 */
export function splitApiError(e: unknown, known: (path: string) => boolean, fallback: (e: unknown) => string): { fields: FieldErrors; general: string | null } {
  if (!(e instanceof ApiError) || e.issues.length === 0) return { fields: {}, general: fallback(e) };
  const fields: FieldErrors = {};
  const rest: FieldIssue[] = [];
  for (const i of e.issues) {
    if (known(i.path)) fields[i.path] ??= i.message;
    else rest.push(i);
  }
  if (rest.length === 0) return { fields, general: null };
  return { fields, general: `${e.message}${rest.length ? ` (${rest.map((i) => `${i.path}: ${i.message}`).join("; ")})` : ""}` };
}

/** A whole number from a text field, or `undefined` when empty / NaN when not a whole number. */
export function intField(raw: string): number | undefined {
  const t = raw.trim();
  if (t === "") return undefined;
  return /^-?\d+$/.test(t) ? Number(t) : Number.NaN;
}
