/**
 * SIP account CSV import: `username,password[,authUsername][,realm]`, header row optional (when present
 * it may order the columns). Rows are checked with the protocol's `SipAccountCreate`, for duplicates in
 * the file and against the registrar's existing accounts.
 */
import { SipAccountCreate, type SipAccountCreate as SipAccountInput, type FieldIssue } from "../../../protocol/index.js";
import { schemaErrors, type FieldErrors } from "./forms.js";

export const CSV_COLUMNS = ["username", "password", "authUsername", "realm"] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export interface CsvAccountRow {
  /** 1-based line in the file. */
  line: number;
  username: string;
  password: string;
  authUsername: string;
  realm: string;
  /** Field (or `row`) → message. */
  errors: FieldErrors;
}

/** One CSV line → cells (RFC 4180 quotes: `"a,b"`, `""` for a quote). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur.trim() === "") {
      quoted = true;
      cur = "";
    } else if (ch === ",") {
      cells.push(cur);
      cur = "";
    } else cur += ch;
  }
  cells.push(cur);
  return cells.map((c) => c.trim());
}

const HEADER_NAMES: Record<string, CsvColumn> = {
  username: "username", user: "username", password: "password", secret: "password",
  authusername: "authUsername", auth_username: "authUsername", "auth username": "authUsername", authuser: "authUsername", realm: "realm",
};

export function toAccount(r: CsvAccountRow): SipAccountInput {
  return {
    username: r.username,
    password: r.password,
    ...(r.authUsername ? { authUsername: r.authUsername } : {}),
    ...(r.realm ? { realm: r.realm } : {}),
  };
}

export function parseAccountsCsv(text: string, existingUsernames: ReadonlySet<string> = new Set()): CsvAccountRow[] {
  const lines = text.split(/\r?\n/);
  let columns: CsvColumn[] = [...CSV_COLUMNS];
  const rows: CsvAccountRow[] = [];
  const firstLine = new Map<string, number>();
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "" || raw.trim().startsWith("#")) return;
    const cells = splitCsvLine(raw);
    if (rows.length === 0 && !firstLine.size && cells[0]?.toLowerCase() === "username") {
      const mapped = cells.map((c) => HEADER_NAMES[c.toLowerCase()]);
      if (mapped.every((m): m is CsvColumn => m !== undefined) && mapped.includes("username") && mapped.includes("password")) {
        columns = mapped;
        firstLine.set("\u0000header", line);
        return;
      }
    }
    const row: CsvAccountRow = { line, username: "", password: "", authUsername: "", realm: "", errors: {} };
    columns.forEach((c, k) => (row[c] = cells[k] ?? ""));
    if (cells.length > columns.length) row.errors.row = `has ${cells.length} columns; expected at most ${columns.length} (${columns.join(", ")})`;
    const errs = schemaErrors(SipAccountCreate, toAccount(row));
    if (errs) for (const [k, m] of Object.entries(errs)) row.errors[k] ??= m;
    if (row.username && !row.errors.username) {
      const first = firstLine.get(row.username);
      if (first !== undefined) row.errors.username = `duplicate of line ${first}`;
      else if (existingUsernames.has(row.username)) row.errors.username = "already exists on this registrar";
      else firstLine.set(row.username, line);
    }
    rows.push(row);
  });
  return rows;
}

/** Server issues `accounts.N.field` → errors on the N-th submitted row; returns issues that named no row. */
export function applyServerIssues(rows: CsvAccountRow[], issues: readonly FieldIssue[]): { rows: CsvAccountRow[]; unmatched: FieldIssue[] } {
  const out = rows.map((r) => ({ ...r, errors: { ...r.errors } }));
  const unmatched: FieldIssue[] = [];
  for (const i of issues) {
    const m = /^accounts\.(\d+)(?:\.(\w+))?/.exec(i.path);
    const row = m ? out[Number(m[1])] : undefined;
    if (!row) unmatched.push(i);
    else row.errors[m![2] ?? "row"] ??= i.message;
  }
  return { rows: out, unmatched };
}

export const rowHasErrors = (r: CsvAccountRow) => Object.keys(r.errors).length > 0;
