/** zod validation of bodies and queries, with errors that name every offending field. */
import type { Context } from "hono";
import type { z } from "zod";
import type { FieldIssue } from "../../../protocol/index.js";
import { ApiException } from "./errors.js";

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message }));
}

function fail(where: "body" | "query", issues: FieldIssue[]): never {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  throw new ApiException("VALIDATION_FAILED", `invalid ${where}: ${first.path}: ${first.message}${more}`, { issues });
}

export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  let json: unknown = {};
  if (text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiException("VALIDATION_FAILED", "invalid body: not valid JSON", { issues: [{ path: "(root)", message: "not valid JSON" }] });
    }
  }
  const r = schema.safeParse(json);
  if (!r.success) fail("body", issuesOf(r.error));
  return r.data;
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) fail("query", issuesOf(r.error));
  return r.data;
}
