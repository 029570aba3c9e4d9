/** The Hono application: `/api/v1` (REST), agent and viewer sockets, health, and the dashboard. */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-env.js";
import { authenticateApiRequest } from "./lib/auth.js";
import { getDb } from "./lib/db.js";
import { roleProblem } from "./lib/roles.js";
import { ApiException } from "./lib/errors.js";
import { agentRoutes } from "./routes/agents.js";
import { authRoutes } from "./routes/auth.js";
import { meRoutes } from "./routes/me.js";
import { planRoutes } from "./routes/plan.js";
import { projectRoutes } from "./routes/projects.js";
import { registrarRoutes } from "./routes/registrars.js";
import { runRoutes } from "./routes/runs.js";
import { socketRoutes } from "./routes/sockets.js";
import { testRoutes } from "./routes/tests.js";
import { tokenRoutes } from "./routes/tokens.js";
import type { ApiError } from "../../protocol/index.js";

export const API_VERSION = "v1";

const api = new Hono<AppEnv>()
  // Sign-in and sign-out need no principal.
  .route("/auth", authRoutes)
  .use(async (c, next) => {
    const { principal, setCookie } = await authenticateApiRequest(c, { allowQueryToken: false });
    const problem = roleProblem(principal.role, c.req.method, c.req.path.slice(`/api/${API_VERSION}`.length));
    if (problem) throw new ApiException("FORBIDDEN", problem);
    c.set("principal", principal);
    await next();
    if (setCookie) c.res.headers.append("set-cookie", setCookie);
  })
  .route("/me", meRoutes)
  .route("/projects", projectRoutes)
  .route("/projects", registrarRoutes)
  .route("/projects", testRoutes)
  .route("/projects", runRoutes)
  .route("/plan", planRoutes)
  .route("/agents", agentRoutes)
  .route("/tokens", tokenRoutes);

export const app = new Hono<AppEnv>()
  .use(async (c, next) => {
    c.set("requestId", crypto.randomUUID());
    c.set("db", getDb(c.env));
    await next();
  })
  .get("/healthz", (c) => c.json({ ok: true }))
  .route(`/api/${API_VERSION}`, api)
  .route("/", socketRoutes)
  .all("/api/*", () => {
    throw new ApiException("NOT_FOUND", "no such API route");
  })
  .get("*", async (c) => {
    if (c.env.ASSETS) return c.env.ASSETS.fetch(c.req.raw);
    return c.text("dashboard not built: run `npm run build:web`", 404);
  });

app.onError((err, c) => {
  const requestId = c.get("requestId");
  if (err instanceof ApiException) {
    const body: ApiError = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
    return c.json({ ...body, meta: { requestId } }, err.status as 400);
  }
  if (err instanceof HTTPException) return c.json({ error: { code: "VALIDATION_FAILED", message: err.message }, meta: { requestId } }, err.status);
  console.error("unhandled error", requestId, err);
  return c.json({ error: { code: "INTERNAL", message: "internal error", details: { requestId } }, meta: { requestId } }, 500);
});
