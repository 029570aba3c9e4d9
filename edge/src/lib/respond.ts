import type { Context } from "hono";

export function ok<T>(c: Context, data: T, status: 200 | 201 = 200, pagination?: { page: number; perPage: number; total: number }) {
  const requestId = c.get("requestId" as never) as string | undefined;
  return c.json({ data, meta: { requestId: requestId ?? "", ...(pagination ? { pagination } : {}) } }, status);
}
