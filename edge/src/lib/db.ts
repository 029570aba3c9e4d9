/** drizzle over libSQL's web client (HTTP): the same code talks to sqld locally and Turso in production. */
import { createClient } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/libsql/web";
import * as schema from "../../../db/schema.js";
import type { Env } from "../env.js";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

export function getDb(env: Pick<Env, "DB_URL" | "DB_TOKEN">): Db {
  const client = createClient({ url: env.DB_URL, authToken: env.DB_TOKEN });
  return drizzle(client, { schema });
}
export { schema };
