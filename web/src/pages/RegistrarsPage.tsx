/**
 * Registrars (SIP servers under test) and their SIP accounts: list / create / edit / delete registrars,
 * list / add / delete accounts, and a CSV import with a preview and per-row errors.
 */
import { createEffect, createMemo, createResource, createSignal, For, on, onMount, Show } from "solid-js";
import { createStore } from "solid-js/store";
import {
  RegistrarCreate,
  RegistrarUpdate,
  SIP_TRANSPORTS,
  SipAccountCreate,
  type Registrar,
  type SipAccount,
  type SipTransport,
} from "../../../protocol/index.js";
import { ApiError, apiDelete, apiGet, apiPatch, apiPost, errorMessage, projectPath } from "../lib/api.js";
import { applyServerIssues, parseAccountsCsv, rowHasErrors, toAccount, type CsvAccountRow } from "../lib/csv.js";
import { intField, issuesToErrors, schemaErrors, splitApiError, type FieldErrors } from "../lib/forms.js";
import { ConfirmDialog } from "../components/ConfirmDialog.js";
import { Field, fieldAria } from "../components/Field.js";
import { Empty, ErrorBox, Loading } from "../components/States.js";
import { Time } from "../components/Time.js";

const PREVIEW_ROWS = 300;
const REG_FIELDS = ["name", "domain", "port", "transport", "outboundProxy", "tls", "tls.verify", "tls.ca", "tls.clientCert", "tls.clientKey", "tls.serverName"] as const;

type TlsVerify = "system" | "custom" | "skip";
interface RegistrarDraft {
  name: string;
  domain: string;
  port: string;
  transport: SipTransport;
  outboundProxy: string;
  tlsVerify: TlsVerify;
  tlsCa: string;
  tlsClientCert: string;
  /** Write-only on the server: empty on edit until re-entered. */
  tlsClientKey: string;
  tlsServerName: string;
  /** Whether a TLS field was changed (an edit sends the TLS settings only then). */
  tlsTouched: boolean;
}
const emptyDraft = (): RegistrarDraft => ({
  name: "", domain: "", port: "", transport: "UDP", outboundProxy: "",
  tlsVerify: "system", tlsCa: "", tlsClientCert: "", tlsClientKey: "", tlsServerName: "", tlsTouched: false,
});
const draftOf = (r: Registrar): RegistrarDraft => ({
  name: r.name, domain: r.domain, port: r.port == null ? "" : String(r.port), transport: r.transport, outboundProxy: r.outboundProxy ?? "",
  tlsVerify: r.tls?.verify ?? "system", tlsCa: r.tls?.ca ?? "", tlsClientCert: r.tls?.clientCert ?? "", tlsClientKey: "",
  tlsServerName: r.tls?.serverName ?? "", tlsTouched: false,
});
const TLS_VERIFY_TEXT: Record<TlsVerify, string> = {
  system: "System CAs (default)",
  custom: "Custom CA (paste it below)",
  skip: "Do not verify (lab only)",
};

function RegistrarForm(props: { pid: string; editing: Registrar | null; onSaved: (r: Registrar) => void; onCancel: () => void }) {
  const [draft, setDraft] = createStore<RegistrarDraft>(props.editing ? draftOf(props.editing) : emptyDraft());
  const [errors, setErrors] = createSignal<FieldErrors>({});
  const [general, setGeneral] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const idp = props.editing ? `reg-${props.editing.id}` : "reg-new";
  let formEl!: HTMLFormElement;
  onMount(() => {
    formEl?.scrollIntoView?.({ block: "nearest" });
    formEl?.querySelector("input")?.focus();
  });

  const body = () => {
    const port = intField(draft.port);
    return {
      name: draft.name,
      domain: draft.domain.trim(),
      ...(port === undefined ? {} : { port }),
      transport: draft.transport,
      ...(draft.outboundProxy.trim() ? { outboundProxy: draft.outboundProxy.trim() } : {}),
      ...(draft.transport === "TLS" && (!props.editing || draft.tlsTouched)
        ? {
            tls: {
              verify: draft.tlsVerify,
              ...(draft.tlsVerify === "custom" && draft.tlsCa.trim() ? { ca: draft.tlsCa.trim() } : {}),
              ...(draft.tlsClientCert.trim() ? { clientCert: draft.tlsClientCert.trim() } : {}),
              ...(draft.tlsClientKey.trim() ? { clientKey: draft.tlsClientKey.trim() } : {}),
              ...(draft.tlsServerName.trim() ? { serverName: draft.tlsServerName.trim() } : {}),
            },
          }
        : {}),
    };
  };
  const setTls = <K extends "tlsVerify" | "tlsCa" | "tlsClientCert" | "tlsClientKey" | "tlsServerName">(k: K, v: RegistrarDraft[K]) => {
    setDraft(k, v as never);
    setDraft("tlsTouched", true);
  };
  const validate = (): FieldErrors => {
    const b = body();
    const errs = schemaErrors(props.editing ? RegistrarUpdate : RegistrarCreate, b) ?? {};
    if (Number.isNaN(b.port)) errs.port = "must be a whole number";
    else if (errs.port) errs.port = "must be a port number from 1 to 65535";
    if (props.editing) {
      // PATCH keeps the stored value for an absent field: the API cannot clear these (yet).
      if (props.editing.port != null && draft.port.trim() === "") errs.port = "cannot be cleared once set; enter a port (5060 is the default)";
      if (props.editing.outboundProxy && draft.outboundProxy.trim() === "") errs.outboundProxy = "cannot be cleared once set (the API keeps the old value)";
    }
    return errs;
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setGeneral(null);
    const errs = validate();
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const base = `${projectPath(props.pid)}/registrars`;
      const saved = props.editing ? await apiPatch<Registrar>(`${base}/${encodeURIComponent(props.editing.id)}`, body()) : await apiPost<Registrar>(base, body());
      props.onSaved(saved);
    } catch (err) {
      const s = splitApiError(err, (p) => (REG_FIELDS as readonly string[]).includes(p), errorMessage);
      setErrors(s.fields);
      setGeneral(s.general);
    } finally {
      setBusy(false);
    }
  };
  const err = (k: (typeof REG_FIELDS)[number]) => errors()[k];
  return (
    <form ref={formEl} class="panel form" onSubmit={(e) => void submit(e)} aria-label={props.editing ? `Edit registrar ${props.editing.name}` : "New registrar"} novalidate>
      <h2 class="panel-title">{props.editing ? `Edit ${props.editing.name}` : "New registrar"}</h2>
      <div class="form-grid">
        <Field id={`${idp}-name`} label="Name" error={err("name")}>
          <input id={`${idp}-name`} value={draft.name} onInput={(e) => setDraft("name", e.currentTarget.value)} {...fieldAria(`${idp}-name`, err("name"))} />
        </Field>
        <Field id={`${idp}-domain`} label="Domain" error={err("domain")} hint="Host name or IP, no scheme or port">
          <input id={`${idp}-domain`} value={draft.domain} placeholder="sip.example.com" onInput={(e) => setDraft("domain", e.currentTarget.value)} {...fieldAria(`${idp}-domain`, err("domain"), true)} />
        </Field>
        <Field id={`${idp}-port`} label="Port" error={err("port")} hint="Empty: 5060 (5061 for TLS)">
          <input id={`${idp}-port`} inputmode="numeric" value={draft.port} onInput={(e) => setDraft("port", e.currentTarget.value)} {...fieldAria(`${idp}-port`, err("port"), true)} />
        </Field>
        <Field id={`${idp}-transport`} label="Transport" error={err("transport")}>
          <select id={`${idp}-transport`} value={draft.transport} onChange={(e) => setDraft("transport", e.currentTarget.value as SipTransport)} {...fieldAria(`${idp}-transport`, err("transport"))}>
            <For each={SIP_TRANSPORTS}>
              {(t) => (
                <option value={t} selected={t === draft.transport}>
                  {t}
                </option>
              )}
            </For>
          </select>
        </Field>
        <Field id={`${idp}-proxy`} label="Outbound proxy" error={err("outboundProxy")} hint="Optional host or host:port">
          <input id={`${idp}-proxy`} value={draft.outboundProxy} placeholder="proxy.example.com:5060" onInput={(e) => setDraft("outboundProxy", e.currentTarget.value)} {...fieldAria(`${idp}-proxy`, err("outboundProxy"), true)} />
        </Field>
      </div>
      <Show when={draft.transport === "TLS"}>
        <fieldset class="form-grid tls-settings">
          <legend>TLS</legend>
          <Field id={`${idp}-tls-verify`} label="Server certificate" error={err("tls.verify") ?? err("tls")}>
            <select id={`${idp}-tls-verify`} value={draft.tlsVerify} onChange={(e) => setTls("tlsVerify", e.currentTarget.value as TlsVerify)} {...fieldAria(`${idp}-tls-verify`, err("tls.verify") ?? err("tls"))}>
              <For each={["system", "custom", "skip"] as const}>{(v) => <option value={v} selected={v === draft.tlsVerify}>{TLS_VERIFY_TEXT[v]}</option>}</For>
            </select>
          </Field>
          <Field id={`${idp}-tls-sni`} label="Server name (SNI)" error={err("tls.serverName")} hint="Optional: the name the certificate must carry, if not the domain">
            <input id={`${idp}-tls-sni`} value={draft.tlsServerName} placeholder="sip.example.com" onInput={(e) => setTls("tlsServerName", e.currentTarget.value)} {...fieldAria(`${idp}-tls-sni`, err("tls.serverName"), true)} />
          </Field>
          <Show when={draft.tlsVerify === "custom"}>
            <Field id={`${idp}-tls-ca`} label="CA certificate (PEM)" error={err("tls.ca")} class="wide">
              <textarea id={`${idp}-tls-ca`} rows={4} spellcheck={false} value={draft.tlsCa} placeholder="-----BEGIN CERTIFICATE-----" onInput={(e) => setTls("tlsCa", e.currentTarget.value)} {...fieldAria(`${idp}-tls-ca`, err("tls.ca"))} />
            </Field>
          </Show>
          <Field id={`${idp}-tls-cert`} label="Client certificate (PEM)" error={err("tls.clientCert")} class="wide" hint="Optional, for mutual TLS">
            <textarea id={`${idp}-tls-cert`} rows={3} spellcheck={false} value={draft.tlsClientCert} placeholder="-----BEGIN CERTIFICATE-----" onInput={(e) => setTls("tlsClientCert", e.currentTarget.value)} {...fieldAria(`${idp}-tls-cert`, err("tls.clientCert"), true)} />
          </Field>
          <Field
            id={`${idp}-tls-key`}
            label="Client key (PEM)"
            error={err("tls.clientKey")}
            class="wide"
            hint={props.editing?.tls?.hasClientKey ? "Stored and never shown; paste it again only when changing the TLS settings" : "Write-only: never shown again"}
          >
            <textarea id={`${idp}-tls-key`} rows={3} spellcheck={false} autocomplete="off" value={draft.tlsClientKey} placeholder="-----BEGIN PRIVATE KEY-----" onInput={(e) => setTls("tlsClientKey", e.currentTarget.value)} {...fieldAria(`${idp}-tls-key`, err("tls.clientKey"), true)} />
          </Field>
        </fieldset>
      </Show>
      <Show when={general()}>
        <p class="state error" role="alert">
          {general()}
        </p>
      </Show>
      <div class="form-actions">
        <button type="button" class="btn" onClick={() => props.onCancel()}>
          Cancel
        </button>
        <button type="submit" class="btn primary" disabled={busy()}>
          {busy() ? "Saving…" : props.editing ? "Save registrar" : "Create registrar"}
        </button>
      </div>
    </form>
  );
}

const ACC_FIELDS = ["username", "password", "authUsername", "realm"] as const;

function AddAccountForm(props: { pid: string; registrar: Registrar; existing: ReadonlySet<string>; onAdded: () => void }) {
  const [draft, setDraft] = createStore({ username: "", password: "", authUsername: "", realm: "" });
  const [errors, setErrors] = createSignal<FieldErrors>({});
  const [general, setGeneral] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setGeneral(null);
    const account = toAccount({ ...draft, line: 0, errors: {} });
    const errs = schemaErrors(SipAccountCreate, account) ?? {};
    if (!errs.username && props.existing.has(account.username)) errs.username = "already exists on this registrar";
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await apiPost(`${projectPath(props.pid)}/registrars/${encodeURIComponent(props.registrar.id)}/accounts`, { accounts: [account] });
      setDraft({ username: "", password: "", authUsername: "", realm: "" });
      props.onAdded();
    } catch (err) {
      const issues = err instanceof ApiError ? err.issues : [];
      const fields = issuesToErrors(issues, "accounts.0.");
      setErrors(fields);
      const known = Object.keys(fields).some((k) => (ACC_FIELDS as readonly string[]).includes(k));
      setGeneral(known ? null : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const id = (k: string) => `acc-${k}`;
  const err = (k: (typeof ACC_FIELDS)[number]) => errors()[k];
  return (
    <form class="form" onSubmit={(e) => void submit(e)} aria-label="Add SIP account" novalidate>
      <h3 class="panel-title">Add an account</h3>
      <div class="form-grid">
        <Field id={id("username")} label="Username" error={err("username")}>
          <input id={id("username")} autocomplete="off" value={draft.username} onInput={(e) => setDraft("username", e.currentTarget.value)} {...fieldAria(id("username"), err("username"))} />
        </Field>
        <Field id={id("password")} label="Password" error={err("password")}>
          <input id={id("password")} type="password" autocomplete="new-password" value={draft.password} onInput={(e) => setDraft("password", e.currentTarget.value)} {...fieldAria(id("password"), err("password"))} />
        </Field>
        <Field id={id("authUsername")} label="Auth username" error={err("authUsername")} hint="Optional">
          <input id={id("authUsername")} autocomplete="off" value={draft.authUsername} onInput={(e) => setDraft("authUsername", e.currentTarget.value)} {...fieldAria(id("authUsername"), err("authUsername"), true)} />
        </Field>
        <Field id={id("realm")} label="Realm" error={err("realm")} hint="Optional; learned from the challenge">
          <input id={id("realm")} value={draft.realm} onInput={(e) => setDraft("realm", e.currentTarget.value)} {...fieldAria(id("realm"), err("realm"), true)} />
        </Field>
      </div>
      <Show when={general()}>
        <p class="state error" role="alert">
          {general()}
        </p>
      </Show>
      <div class="form-actions">
        <button type="submit" class="btn primary" disabled={busy()}>
          {busy() ? "Adding…" : "Add account"}
        </button>
      </div>
    </form>
  );
}

function CsvImport(props: { pid: string; registrar: Registrar; existing: ReadonlySet<string>; onImported: (n: number) => void }) {
  const [text, setText] = createSignal("");
  const [rows, setRows] = createSignal<CsvAccountRow[] | null>(null);
  const [general, setGeneral] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const bad = () => rows()?.filter(rowHasErrors).length ?? 0;
  /** At most PREVIEW_ROWS rows in the table, rows with errors first in line order. */
  const shown = createMemo(() => {
    const r = rows() ?? [];
    if (r.length <= PREVIEW_ROWS) return r;
    const errs = r.filter(rowHasErrors).slice(0, PREVIEW_ROWS);
    const fine = r.filter((x) => !rowHasErrors(x)).slice(0, PREVIEW_ROWS - errs.length);
    return [...errs, ...fine].sort((a, b) => a.line - b.line);
  });
  const preview = () => {
    setGeneral(null);
    const r = parseAccountsCsv(text(), props.existing);
    setRows(r);
    if (r.length === 0) setGeneral("No rows found. Paste lines like 2001,secret (header optional).");
  };
  const onFile = async (f: File | undefined) => {
    if (!f) return;
    setText(await f.text());
    preview();
  };
  const doImport = async () => {
    const r = rows();
    if (!r || r.length === 0 || bad() > 0) return;
    setBusy(true);
    setGeneral(null);
    try {
      const created = await apiPost<SipAccount[]>(`${projectPath(props.pid)}/registrars/${encodeURIComponent(props.registrar.id)}/accounts`, { accounts: r.map(toAccount) });
      setRows(null);
      setText("");
      props.onImported(created.length);
    } catch (err) {
      const issues = err instanceof ApiError ? err.issues : [];
      const mapped = applyServerIssues(r, issues);
      setRows(mapped.rows);
      setGeneral(mapped.unmatched.length || issues.length === 0 ? errorMessage(err) : `${err instanceof Error ? err.message : String(err)} — nothing was imported; fix the rows marked below.`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="csv-import" aria-label="Import accounts from CSV">
      <h3 class="panel-title">Import from CSV</h3>
      <p class="muted small-text">
        One account a line: <code>username,password[,authUsername][,realm]</code>. A header row is optional.
      </p>
      <div class="field">
        <label for="csv-text">CSV</label>
        <textarea id="csv-text" rows="5" spellcheck={false} value={text()} placeholder={"username,password\n2001,secret1\n2002,secret2"} onInput={(e) => { setText(e.currentTarget.value); setRows(null); }} />
      </div>
      <div class="form-actions start">
        <label class="btn file-btn">
          Choose file…
          <input type="file" accept=".csv,text/csv,text/plain" class="visually-hidden" onChange={(e) => void onFile(e.currentTarget.files?.[0])} />
        </label>
        <button type="button" class="btn" disabled={text().trim() === ""} onClick={preview}>
          Preview
        </button>
        <Show when={rows() && rows()!.length > 0}>
          <button type="button" class="btn primary" disabled={busy() || bad() > 0} onClick={() => void doImport()}>
            {busy() ? "Importing…" : `Import ${rows()!.length} account${rows()!.length === 1 ? "" : "s"}`}
          </button>
        </Show>
      </div>
      <Show when={general()}>
        <p class="state error" role="alert">
          {general()}
        </p>
      </Show>
      <Show when={rows() && rows()!.length > 0}>
        <p class="small-text" role="status">
          {rows()!.length} row{rows()!.length === 1 ? "" : "s"}, {bad() === 0 ? "all valid" : `${bad()} with errors — fix them in the CSV and preview again`}
          {shown().length < rows()!.length ? ` (showing ${shown().length})` : ""}
        </p>
        <div class="table-wrap">
          <table class="table static stack" aria-label="CSV preview">
            <thead>
              <tr>
                <th class="num">Line</th>
                <th>Username</th>
                <th>Password</th>
                <th>Auth username</th>
                <th>Realm</th>
                <th>Problems</th>
              </tr>
            </thead>
            <tbody>
              <For each={shown()}>
                {(r) => (
                  <tr classList={{ "row-bad": rowHasErrors(r) }} aria-invalid={rowHasErrors(r) ? "true" : undefined}>
                    <td class="num" data-label="Line">{r.line}</td>
                    <td classList={{ "cell-bad": !!r.errors.username }} data-label="Username">{r.username || <span class="muted">—</span>}</td>
                    <td classList={{ "cell-bad": !!r.errors.password }} data-label="Password">{r.password ? "•".repeat(Math.min(r.password.length, 8)) : <span class="muted">—</span>}</td>
                    <td classList={{ "cell-bad": !!r.errors.authUsername }} data-label="Auth username">{r.authUsername || <span class="muted">—</span>}</td>
                    <td classList={{ "cell-bad": !!r.errors.realm }} data-label="Realm">{r.realm || <span class="muted">—</span>}</td>
                    <td class="problems" data-label="Problems">
                      <Show when={rowHasErrors(r)} fallback={<span class="quality-text-good">OK</span>}>
                        <For each={Object.entries(r.errors)}>
                          {([k, m]) => (
                            <div class="quality-text-bad">
                              {k === "row" ? "" : `${k}: `}
                              {m}
                            </div>
                          )}
                        </For>
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </section>
  );
}

function AccountsPanel(props: { pid: string; registrar: Registrar; onChanged: () => void }) {
  const base = () => `${projectPath(props.pid)}/registrars/${encodeURIComponent(props.registrar.id)}/accounts`;
  const [accounts, { refetch }] = createResource(() => props.registrar.id, () => apiGet<SipAccount[]>(base()));
  const existing = createMemo(() => new Set((accounts.latest ?? []).map((a) => a.username)));
  const [notice, setNotice] = createSignal<string | null>(null);
  const [deleting, setDeleting] = createSignal<SipAccount | null>(null);
  const [deleteError, setDeleteError] = createSignal<string | null>(null);
  const changed = (msg: string) => {
    setNotice(msg);
    void refetch();
    props.onChanged();
  };
  const del = async () => {
    const a = deleting();
    if (!a) return;
    try {
      await apiDelete(`${base()}/${encodeURIComponent(a.id)}`);
      setDeleting(null);
      changed(`Deleted account ${a.username}.`);
    } catch (e) {
      setDeleteError(errorMessage(e));
      setDeleting(null);
    }
  };
  return (
    <section class="panel" aria-label={`SIP accounts of ${props.registrar.name}`}>
      <div class="panel-head">
        <h2 class="panel-title">SIP accounts · {props.registrar.name}</h2>
        <span class="muted small-text">{accounts.latest?.length ?? props.registrar.accountCount} accounts</span>
      </div>
      <Show when={notice()}>
        <p class="state notice" role="status">
          {notice()}
        </p>
      </Show>
      <Show when={deleteError()}>
        <ErrorBox message={deleteError()!} />
      </Show>
      <Show when={!accounts.error} fallback={<ErrorBox message={errorMessage(accounts.error)} onRetry={() => void refetch()} />}>
        <Show when={accounts.latest} fallback={<Loading label="Loading accounts…" />}>
          {(list) => (
            <Show when={list().length > 0} fallback={<Empty>No accounts yet. Add one below or import a CSV.</Empty>}>
              <div class="table-wrap accounts-wrap">
                <table class="table static stack" aria-label="SIP accounts">
                  <thead>
                    <tr>
                      <th>Username</th>
                      <th>Auth username</th>
                      <th>Realm</th>
                      <th class="col-created">Created</th>
                      <th>
                        <span class="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={list()}>
                      {(a) => (
                        <tr>
                          <td data-label="Username">{a.username}</td>
                          <td data-label="Auth username">{a.authUsername ?? <span class="muted">—</span>}</td>
                          <td data-label="Realm">{a.realm ?? <span class="muted">—</span>}</td>
                          <td class="col-created" data-label="Created">
                            <Time value={a.createdAt} />
                          </td>
                          <td class="num">
                            <button type="button" class="btn small ghost" aria-label={`Delete account ${a.username}`} onClick={() => { setDeleteError(null); setDeleting(a); }}>
                              Delete
                            </button>
                          </td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
            </Show>
          )}
        </Show>
      </Show>
      <div class="grid-2 accounts-forms">
        <AddAccountForm pid={props.pid} registrar={props.registrar} existing={existing()} onAdded={() => changed("Account added.")} />
        <CsvImport pid={props.pid} registrar={props.registrar} existing={existing()} onImported={(n) => changed(`Imported ${n} account${n === 1 ? "" : "s"}.`)} />
      </div>
      <Show when={deleting()}>
        {(a) => (
          <ConfirmDialog title="Delete SIP account?" confirmLabel="Delete account" danger onConfirm={() => void del()} onCancel={() => setDeleting(null)}>
            <p>
              Account <strong>{a().username}</strong> will be removed from {props.registrar.name}.
            </p>
          </ConfirmDialog>
        )}
      </Show>
    </section>
  );
}

export function RegistrarsPage(props: { pid: string }) {
  const [registrars, { refetch }] = createResource(() => props.pid, (pid) => apiGet<Registrar[]>(`${projectPath(pid)}/registrars`));
  const [form, setForm] = createSignal<{ editing: Registrar | null } | null>(null);
  const [selectedId, setSelectedId] = createSignal<string | null>(null);
  const [deleting, setDeleting] = createSignal<Registrar | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [pageError, setPageError] = createSignal<string | null>(null);
  const selected = () => registrars.latest?.find((r) => r.id === selectedId()) ?? null;
  createEffect(on(() => registrars.latest, (list) => {
    if (list && list.length && !list.some((r) => r.id === selectedId())) setSelectedId(list[0]!.id);
  }));
  const del = async () => {
    const r = deleting();
    if (!r) return;
    setBusy(true);
    try {
      await apiDelete(`${projectPath(props.pid)}/registrars/${encodeURIComponent(r.id)}`);
      void refetch();
    } catch (e) {
      setPageError(errorMessage(e));
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  };
  return (
    <main class="page registrars-page">
      <div class="page-head">
        <h1 class="page-title">Registrars and SIP accounts</h1>
        <button type="button" class="btn primary" onClick={() => setForm({ editing: null })} disabled={form()?.editing === null}>
          New registrar
        </button>
      </div>
      <Show when={pageError()}>
        <ErrorBox message={pageError()!} />
      </Show>
      <Show when={form()} keyed>
        {(f) => (
          <RegistrarForm
            pid={props.pid}
            editing={f.editing}
            onCancel={() => setForm(null)}
            onSaved={(r) => {
              setForm(null);
              setSelectedId(r.id);
              void refetch();
            }}
          />
        )}
      </Show>
      <Show when={!registrars.error} fallback={<ErrorBox message={errorMessage(registrars.error)} onRetry={() => void refetch()} />}>
        <Show when={registrars.latest} fallback={<Loading label="Loading registrars…" />}>
          {(list) => (
            <Show when={list().length > 0} fallback={<Empty>No registrars yet. Create one to add SIP accounts.</Empty>}>
              <div class="panel">
                <div class="table-wrap">
                  <table class="table static stack" aria-label="Registrars">
                    <thead>
                      <tr>
                        <th>Name</th>
                        <th>Domain</th>
                        <th class="num">Port</th>
                        <th>Transport</th>
                        <th class="col-proxy">Outbound proxy</th>
                        <th class="num">Accounts</th>
                        <th>
                          <span class="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={list()}>
                        {(r) => (
                          <tr classList={{ selected: r.id === selectedId() }} aria-selected={r.id === selectedId()}>
                            <td data-label="Name">
                              <button type="button" class="link-btn" onClick={() => setSelectedId(r.id)} aria-label={`Show accounts of ${r.name}`}>
                                {r.name}
                              </button>
                              <Show when={r.builtin}>
                                {" "}
                                <span class="pill">built-in</span>
                              </Show>
                            </td>
                            <td data-label="Domain">{r.domain}</td>
                            <td class="num" data-label="Port">{r.port ?? <span class="muted">default</span>}</td>
                            <td data-label="Transport">{r.transport}</td>
                            <td class="col-proxy" data-label="Outbound proxy">{r.outboundProxy ?? <span class="muted">—</span>}</td>
                            <td class="num" data-label="Accounts">{r.accountCount}</td>
                            <td class="num actions">
                              <button type="button" class="btn small" aria-label={`Edit registrar ${r.name}`} onClick={() => setForm({ editing: r })}>
                                Edit
                              </button>
                              <button type="button" class="btn small ghost" aria-label={`Delete registrar ${r.name}`} onClick={() => { setPageError(null); setDeleting(r); }}>
                                Delete
                              </button>
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </div>
            </Show>
          )}
        </Show>
      </Show>
      <Show when={selectedId()} keyed>
        {(_id) => (
          <Show when={selected()}>
            {(r) => <AccountsPanel pid={props.pid} registrar={r()} onChanged={() => void refetch()} />}
          </Show>
        )}
      </Show>
      <Show when={deleting()}>
        {(r) => (
          <ConfirmDialog title="Delete registrar?" confirmLabel="Delete registrar" danger busy={busy()} onConfirm={() => void del()} onCancel={() => setDeleting(null)}>
            <p>
              <strong>{r().name}</strong> and its {r().accountCount} SIP account{r().accountCount === 1 ? "" : "s"} will be deleted. Tests that use it must be changed first.
            </p>
          </ConfirmDialog>
        )}
      </Show>
    </main>
  );
}
