import type { Env } from "./env.js";
import type { Db } from "./lib/db.js";
import type { Principal } from "./lib/auth.js";

export type AppEnv = { Bindings: Env; Variables: { db: Db; principal: Principal; requestId: string } };
