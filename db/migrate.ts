/** Apply db/migrations to a libSQL server (sqld locally, Turso in production). */
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { fileURLToPath } from "node:url";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));

export async function migrateDatabase(url: string, authToken?: string): Promise<void> {
  const client = createClient({ url, authToken });
  try {
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    client.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.DB_URL;
  if (!url) {
    console.error("DB_URL is required (e.g. http://127.0.0.1:8080 or libsql://<db>.turso.io)");
    process.exit(2);
  }
  await migrateDatabase(url, process.env.DB_TOKEN);
  console.log("migrations applied");
}
