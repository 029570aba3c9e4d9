export * from "./enums.js";
export * from "./endpoint-state.js";
export * from "./metrics.js";
export * from "./api.js";
export * from "./wire.js";
export * from "./frame-check.js";
