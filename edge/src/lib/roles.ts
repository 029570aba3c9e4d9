/**
 * Who may do what: the five organisation roles, each including the ones below it
 * (VIEWER < TESTER < EDITOR < ADMIN < OWNER), and the least role each API call needs.
 * A person acts with their membership's role in the org they act in; an API token with its
 * creator's current role there (so demoting someone also narrows their tokens).
 *
 *   VIEWER  read everything (runs, results, traces, tests, registrars, agents, plan)
 *   TESTER  + start and stop runs
 *   EDITOR  + create, change and delete tests, registrars, SIP accounts and runs; API tokens
 *   ADMIN   + anything not listed here (a new kind of write is admin-only until it is placed)
 *   OWNER   everything
 */
import type { OrgRole } from "../../../protocol/index.js";

export const ROLE_ORDER: readonly OrgRole[] = ["VIEWER", "TESTER", "EDITOR", "ADMIN", "OWNER"];

export function roleAtLeast(role: OrgRole, needed: OrgRole): boolean {
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}

interface Rule {
  methods: readonly string[];
  /** Matched against the path below `/api/v1`. */
  path: RegExp;
  role: OrgRole;
  /** What the call does, for the refusal message. */
  action: string;
}

const WRITE = ["POST", "PUT", "PATCH", "DELETE"] as const;
const RULES: readonly Rule[] = [
  { methods: ["GET", "HEAD"], path: /^\//, role: "VIEWER", action: "read" },
  { methods: ["POST"], path: /^\/projects\/[^/]+\/tests\/[^/]+\/run$/, role: "TESTER", action: "start a run" },
  { methods: ["POST"], path: /^\/projects\/[^/]+\/test-runs\/[^/]+\/stop$/, role: "TESTER", action: "stop a run" },
  { methods: WRITE, path: /^\/projects\/[^/]+\/tests(\/[^/]+)?$/, role: "EDITOR", action: "change tests" },
  { methods: WRITE, path: /^\/projects\/[^/]+\/registrars(\/.*)?$/, role: "EDITOR", action: "change registrars and SIP accounts" },
  { methods: ["DELETE"], path: /^\/projects\/[^/]+\/test-runs\/[^/]+$/, role: "EDITOR", action: "delete a run" },
  { methods: WRITE, path: /^\/tokens(\/[^/]+)?$/, role: "EDITOR", action: "create or revoke tokens" },
];

export interface Requirement {
  role: OrgRole;
  action: string;
}

/** The least role a call needs; anything unlisted needs ADMIN. */
export function requiredRole(method: string, path: string): Requirement {
  const m = method.toUpperCase();
  for (const r of RULES) if (r.methods.includes(m) && r.path.test(path)) return { role: r.role, action: r.action };
  return { role: "ADMIN", action: `${m} ${path}` };
}

/** null when allowed, else the refusal, naming the role held and the role needed. */
export function roleProblem(role: OrgRole, method: string, path: string): string | null {
  const need = requiredRole(method, path);
  if (roleAtLeast(role, need.role)) return null;
  return `role: your role in this organisation is ${role}; to ${need.action} you need ${need.role} or above`;
}
