/** Worker entry: the Hono app and the Durable Object classes. */
import { app } from "./app.js";
export { RunObject } from "./objects/RunObject.js";
export { FleetObject } from "./objects/FleetObject.js";
export { QuotaObject } from "./objects/QuotaObject.js";

export default { fetch: app.fetch } satisfies ExportedHandler<import("./env.js").Env>;
