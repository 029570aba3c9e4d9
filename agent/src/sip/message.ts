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
    // One field of that name (the usual Via, CSeq, Authorization of a request we re-send): in place.
    if (at >= 0 && value !== undefined && this.keys.indexOf(key, at + 1) < 0) {
      this.names[at] = canonicalName(key);
      this.values[at] = value;
      return this;
    }
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
        const v = this.values[i];
        // One element and nothing quoted (the usual Via / Contact): what splitList would return.
        if (v.indexOf(",") < 0 && v.indexOf('"') < 0) {
          out.push(v.trim());
          continue;
        }
        const parts = splitList(v);
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

  /** Name (as written or canonical) of field `i`, in order; with valueAt, for loops that allocate nothing. */
  nameAt(i: number): string {
    return this.names[i];
  }

  valueAt(i: number): string {
    return this.values[i];
  }

  /** Lookup key (lower-case long name) of field `i`. */
  keyAt(i: number): string {
    return this.keys[i];
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

/** Marks a cached view that has not been computed yet (null is a valid cached value). */
const UNSET: unique symbol = Symbol("unset");
type Slot<T> = T | typeof UNSET;

/**
 * Parsed views cached per message, one field each (no Map or closure per access: the transaction
 * layer reads topVia and CSeq of every message); invalidated by `touch()` after header edits.
 */
abstract class SipMessageBase {
  headers: SipHeaders;
  body: string;
  private cCallId: Slot<string> = UNSET;
  private cVias: Slot<Via[] | null> = UNSET;
  private cTopVia: Slot<Via | null> = UNSET;
  private cFrom: Slot<NameAddr | null> = UNSET;
  private cTo: Slot<NameAddr | null> = UNSET;
  private cCSeq: Slot<CSeq | null> = UNSET;
  private cContacts: Slot<(Contact | "*")[] | null> = UNSET;
  private cMaxForwards: Slot<number | null> = UNSET;
  private cExpires: Slot<number | null> = UNSET;
  private cNameAddrs: Map<string, NameAddr[]> | null = null;

  constructor(headers: SipHeaders, body: string) {
    this.headers = headers;
    this.body = body;
  }

  /** Drop cached views after editing headers. */
  touch(): void {
    this.cCallId = this.cVias = this.cTopVia = this.cFrom = this.cTo = this.cCSeq = UNSET;
    this.cContacts = this.cMaxForwards = this.cExpires = UNSET;
    this.cNameAddrs = null;
  }

  get callId(): string {
    if (this.cCallId === UNSET) this.cCallId = (this.headers.get("call-id") ?? "").trim();
    return this.cCallId;
  }

  /** All Via values parsed, top first; null if any is malformed. */
  get vias(): Via[] | null {
    if (this.cVias === UNSET) this.cVias = parseAll(this.headers.getAll("via"), parseVia);
    return this.cVias;
  }

  get topVia(): Via | null {
    if (this.cTopVia === UNSET) {
      // The same parse of the same first value when all Vias were parsed already (the parser does).
      const all = this.cVias;
      if (all !== UNSET && all !== null) this.cTopVia = all[0] ?? null;
      else {
        const raw = this.headers.getAll("via")[0];
        this.cTopVia = raw === undefined ? null : parseVia(raw);
      }
    }
    return this.cTopVia;
  }

  get from(): NameAddr | null {
    if (this.cFrom === UNSET) this.cFrom = parseIfPresent(this.headers.get("from"), parseNameAddr);
    return this.cFrom;
  }

  get to(): NameAddr | null {
    if (this.cTo === UNSET) this.cTo = parseIfPresent(this.headers.get("to"), parseNameAddr);
    return this.cTo;
  }

  get cseq(): CSeq | null {
    if (this.cCSeq === UNSET) this.cCSeq = parseIfPresent(this.headers.get("cseq"), parseCSeq);
    return this.cCSeq;
  }

  /** Contact values; "*" for the wildcard (REGISTER); null when any is malformed. */
  get contacts(): (Contact | "*")[] | null {
    if (this.cContacts === UNSET) this.cContacts = parseAll(this.headers.getAll("contact"), parseContact);
    return this.cContacts;
  }

  /** First Contact as name-addr (not "*"), or null. */
  get contact(): Contact | null {
    const c = this.contacts?.[0];
    return c === undefined || c === "*" ? null : c;
  }

  /** Record-Route / Route values parsed (in header order); malformed ones skipped. */
  nameAddrs(name: "route" | "record-route" | "path"): NameAddr[] {
    this.cNameAddrs ??= new Map();
    let out = this.cNameAddrs.get(name);
    if (out === undefined) {
      out = [];
      for (const v of this.headers.getAll(name)) {
        const p = parseNameAddr(v);
        if (p) out.push(p);
      }
      this.cNameAddrs.set(name, out);
    }
    return out;
  }

  get maxForwards(): number | null {
    if (this.cMaxForwards === UNSET) this.cMaxForwards = parseIfPresent(this.headers.get("max-forwards"), toUint);
    return this.cMaxForwards;
  }

  get expires(): number | null {
    if (this.cExpires === UNSET) this.cExpires = parseIfPresent(this.headers.get("expires"), toUint);
    return this.cExpires;
  }
}

const parseIfPresent = <T>(v: string | undefined, parse: (v: string) => T | null): T | null => (v === undefined ? null : parse(v));

/** Every value parsed, or null as soon as one is malformed. */
function parseAll<T>(values: string[], parse: (v: string) => T | null): T[] | null {
  const out: T[] = [];
  for (const v of values) {
    const p = parse(v);
    if (p === null) return null;
    out.push(p);
  }
  return out;
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
