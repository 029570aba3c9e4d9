/**
 * SIP message model (RFC 3261 §7): a start line, header fields kept as ordered raw
 * (name, value) pairs, and a body. Structured views (Via, From, To, CSeq, Contact…) are parsed on
 * first access and cached, so a proxy that only reads the top Via and CSeq pays for nothing else.
 */
import { canonicalName, headerKey, isListHeader } from "./header-names.js";
import {
  type Contact, type CSeq, type NameAddr, type Via,
  parseContact, parseCSeq, parseNameAddr, parseVia, splitList, toUint,
} from "./header-values.js";

export class SipHeaders {
  /** Parallel arrays: lookup key (lower-case long name), name as written, raw value. */
  private keys: string[] = [];
  private names: string[] = [];
  private values: string[] = [];

  /** Appends a field as received or as built; `name` may be compact or any case. */
  append(name: string, value: string): this {
    const key = headerKey(name);
    this.keys.push(key);
    this.names.push(name.length === 1 ? canonicalName(key) : name);
    this.values.push(value);
    return this;
  }

  /** The parser's append: `key` is headerKey(name), already known. */
  appendParsed(key: string, name: string, value: string): void {
    this.keys.push(key);
    this.names.push(name.length === 1 ? canonicalName(key) : name);
    this.values.push(value);
  }

  /** Inserts a field before all others of the same name (a new top Via, Record-Route…). */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.keys.indexOf(key);
    const i = at < 0 ? this.keys.length : at;
    this.keys.splice(i, 0, key);
    this.names.splice(i, 0, canonicalName(key));
    this.values.splice(i, 0, value);
    return this;
  }

  /** Replaces every field of that name with one value (or removes them for undefined). */
  set(name: string, value: string | undefined): this {
    const key = headerKey(name);
    const at = this.keys.indexOf(key);
    this.remove(key);
    if (value !== undefined) {
      const i = at < 0 ? this.keys.length : at;
      this.keys.splice(i, 0, key);
      this.names.splice(i, 0, canonicalName(key));
      this.values.splice(i, 0, value);
    }
    return this;
  }

  remove(name: string): this {
    const key = headerKey(name);
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] === key) {
        this.keys.splice(i, 1);
        this.names.splice(i, 1);
        this.values.splice(i, 1);
      }
    }
    return this;
  }

  /** Removes the first list element of a header (top Via / top Route), keeping the others. */
  removeFirstValue(name: string): string | undefined {
    const key = headerKey(name);
    const i = this.keys.indexOf(key);
    if (i < 0) return undefined;
    const parts = splitList(this.values[i]) ?? [this.values[i]];
    const first = parts.shift();
    if (parts.length === 0) {
      this.keys.splice(i, 1);
      this.names.splice(i, 1);
      this.values.splice(i, 1);
    } else this.values[i] = parts.join(", ");
    return first;
  }

  has(name: string): boolean {
    return this.keys.indexOf(headerKey(name)) >= 0;
  }

  /** Raw value of the first field of that name. */
  get(name: string): string | undefined {
    const i = this.keys.indexOf(headerKey(name));
    return i < 0 ? undefined : this.values[i];
  }

  /** The first of `keys` that occurs more than once, in one pass (parser validation). */
  firstRepeated(keys: readonly string[]): string | undefined {
    const seen = new Set<string>();
    for (const k of this.keys) {
      if (!keys.includes(k)) continue;
      if (seen.has(k)) return k;
      seen.add(k);
    }
    return undefined;
  }

  /** Number of fields (lines) of that name. */
  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const k of this.keys) if (k === key) n++;
    return n;
  }

  /**
   * Every value of that name in order; list headers (RFC 3261 §7.3.1) split on commas outside
   * quotes and <>. Null only when a list value has an unbalanced quote.
   */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const list = isListHeader(key);
    const out: string[] = [];
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] !== key) continue;
      if (list) {
        const parts = splitList(this.values[i]);
        if (parts === null) out.push(this.values[i]);
        else for (const p of parts) out.push(p);
      } else out.push(this.values[i]);
    }
    return out;
  }

  /** [name as written or canonical, raw value] in order. */
  entries(): [string, string][] {
    return this.keys.map((_, i) => [this.names[i], this.values[i]]);
  }

  get size(): number {
    return this.keys.length;
  }

  clone(): SipHeaders {
    const h = new SipHeaders();
    h.keys = this.keys.slice();
    h.names = this.names.slice();
    h.values = this.values.slice();
    return h;
  }
}

/** Parsed views cached per message; invalidated by `touch()` after header edits. */
abstract class SipMessageBase {
  headers: SipHeaders;
  body: string;
  private cache: Map<string, unknown> = new Map();

  constructor(headers: SipHeaders, body: string) {
    this.headers = headers;
    this.body = body;
  }

  protected cached<T>(key: string, f: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = f();
    this.cache.set(key, v);
    return v;
  }

  /** Drop cached views after editing headers. */
  touch(): void {
    this.cache.clear();
  }

  get callId(): string {
    return this.cached("call-id", () => (this.headers.get("call-id") ?? "").trim());
  }

  /** All Via values parsed, top first; null if any is malformed. */
  get vias(): Via[] | null {
    return this.cached("vias", () => {
      const out: Via[] = [];
      for (const v of this.headers.getAll("via")) {
        const p = parseVia(v);
        if (p === null) return null;
        out.push(p);
      }
      return out;
    });
  }

  get topVia(): Via | null {
    return this.cached("top-via", () => {
      const raw = this.headers.getAll("via")[0];
      return raw === undefined ? null : parseVia(raw);
    });
  }

  get from(): NameAddr | null {
    return this.cached("from", () => {
      const v = this.headers.get("from");
      return v === undefined ? null : parseNameAddr(v);
    });
  }

  get to(): NameAddr | null {
    return this.cached("to", () => {
      const v = this.headers.get("to");
      return v === undefined ? null : parseNameAddr(v);
    });
  }

  get cseq(): CSeq | null {
    return this.cached("cseq", () => {
      const v = this.headers.get("cseq");
      return v === undefined ? null : parseCSeq(v);
    });
  }

  /** Contact values; "*" for the wildcard (REGISTER); null when any is malformed. */
  get contacts(): (Contact | "*")[] | null {
    return this.cached("contacts", () => {
      const out: (Contact | "*")[] = [];
      for (const v of this.headers.getAll("contact")) {
        const c = parseContact(v);
        if (c === null) return null;
        out.push(c);
      }
      return out;
    });
  }

  /** First Contact as name-addr (not "*"), or null. */
  get contact(): Contact | null {
    const c = this.contacts?.[0];
    return c === undefined || c === "*" ? null : c;
  }

  /** Record-Route / Route values parsed (in header order); malformed ones skipped. */
  nameAddrs(name: "route" | "record-route" | "path"): NameAddr[] {
    return this.cached(`na-${name}`, () => {
      const out: NameAddr[] = [];
      for (const v of this.headers.getAll(name)) {
        const p = parseNameAddr(v);
        if (p) out.push(p);
      }
      return out;
    });
  }

  get maxForwards(): number | null {
    return this.cached("max-forwards", () => {
      const v = this.headers.get("max-forwards");
      return v === undefined ? null : toUint(v);
    });
  }

  get expires(): number | null {
    return this.cached("expires", () => {
      const v = this.headers.get("expires");
      return v === undefined ? null : toUint(v);
    });
  }
}

export class SipRequest extends SipMessageBase {
  readonly type = "request" as const;
  method: string;
  uri: string;

  constructor(method: string, uri: string, headers: SipHeaders = new SipHeaders(), body = "") {
    super(headers, body);
    this.method = method;
    this.uri = uri;
  }
}

export class SipResponse extends SipMessageBase {
  readonly type = "response" as const;
  status: number;
  reason: string;

  constructor(status: number, reason: string, headers: SipHeaders = new SipHeaders(), body = "") {
    super(headers, body);
    this.status = status;
    this.reason = reason;
  }
}

export type SipMessage = SipRequest | SipResponse;

export type { Contact, CSeq, NameAddr, Via } from "./header-values.js";
