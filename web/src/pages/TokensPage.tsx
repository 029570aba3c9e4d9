/** API and agent tokens: create (the secret is shown once, with a copy button), list, revoke. */
import { createResource, createSignal, For, Show } from "solid-js";
import { TokenCreate, type ApiToken } from "../../../protocol/index.js";
import { apiDelete, apiGet, apiPost, errorMessage } from "../lib/api.js";
import { schemaErrors, splitApiError, type FieldErrors } from "../lib/forms.js";
import { ConfirmDialog } from "../components/ConfirmDialog.js";
import { CopyButton } from "../components/CopyButton.js";
import { Field, fieldAria } from "../components/Field.js";
import { Empty, ErrorBox, Loading } from "../components/States.js";
import { Time } from "../components/Time.js";

type Kind = ApiToken["kind"];
type Created = ApiToken & { token: string };

/** The one-line command that starts an agent against this server. */
export function agentCommand(origin: string, token: string, region: string): string {
  return `ringfleet-agent --server ${origin} --token ${token} --region ${region.trim() || "local"}`;
}

function CreatedToken(props: { token: Created; onDone: () => void }) {
  const [region, setRegion] = createSignal("local");
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  return (
    <section class="panel secret-panel" aria-label="New token">
      <h2 class="panel-title">Token “{props.token.name}” created</h2>
      <p class="small-text">Copy it now: it is shown only once and cannot be retrieved later.</p>
      <div class="secret-row">
        <code class="secret" data-testid="token-secret">
          {props.token.token}
        </code>
        <CopyButton text={props.token.token} label="Copy token" />
      </div>
      <Show when={props.token.kind === "agent"}>
        <div class="field">
          <label for="agent-region">Region for the run command</label>
          <input id="agent-region" value={region()} onInput={(e) => setRegion(e.currentTarget.value)} />
        </div>
        <p class="small-text">Start an agent with:</p>
        <div class="secret-row">
          <code class="secret" data-testid="agent-command">
            {agentCommand(origin, props.token.token, region())}
          </code>
          <CopyButton text={agentCommand(origin, props.token.token, region())} label="Copy run command" />
        </div>
      </Show>
      <div class="form-actions">
        <button type="button" class="btn" onClick={() => props.onDone()}>
          I have copied it
        </button>
      </div>
    </section>
  );
}

export function TokensPage() {
  const [tokens, { refetch }] = createResource(() => apiGet<ApiToken[]>("/tokens"));
  const [name, setName] = createSignal("");
  const [kind, setKind] = createSignal<Kind>("api");
  const [errors, setErrors] = createSignal<FieldErrors>({});
  const [general, setGeneral] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [created, setCreated] = createSignal<Created | null>(null);
  const [revoking, setRevoking] = createSignal<ApiToken | null>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    setGeneral(null);
    const body = { name: name(), kind: kind() };
    const errs = schemaErrors(TokenCreate, body) ?? {};
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const t = await apiPost<Created>("/tokens", body);
      setCreated(t);
      setName("");
      void refetch();
    } catch (err) {
      const s = splitApiError(err, (p) => p === "name" || p === "kind", errorMessage);
      setErrors(s.fields);
      setGeneral(s.general);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async () => {
    const t = revoking();
    if (!t) return;
    setBusy(true);
    try {
      await apiDelete(`/tokens/${encodeURIComponent(t.id)}`);
      void refetch();
    } catch (err) {
      setGeneral(errorMessage(err));
    } finally {
      setBusy(false);
      setRevoking(null);
    }
  };
  const sorted = () => [...(tokens.latest ?? [])].sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt) || b.createdAt.localeCompare(a.createdAt));

  return (
    <main class="page tokens-page">
      <h1 class="page-title">API tokens</h1>
      <Show when={created()} keyed>
        {(t) => <CreatedToken token={t} onDone={() => setCreated(null)} />}
      </Show>
      <form class="panel form" onSubmit={(e) => void create(e)} aria-label="Create token" novalidate>
        <h2 class="panel-title">Create a token</h2>
        <div class="form-grid">
          <Field id="tok-name" label="Token name" error={errors().name}>
            <input id="tok-name" value={name()} placeholder="CI pipeline" onInput={(e) => setName(e.currentTarget.value)} {...fieldAria("tok-name", errors().name)} />
          </Field>
          <Field id="tok-kind" label="Kind" error={errors().kind} hint={kind() === "agent" ? "For ringfleet-agent to connect" : "For the REST API and this dashboard"}>
            <select id="tok-kind" value={kind()} onChange={(e) => setKind(e.currentTarget.value as Kind)} {...fieldAria("tok-kind", errors().kind, true)}>
              <option value="api">API token</option>
              <option value="agent">Agent token</option>
            </select>
          </Field>
        </div>
        <Show when={general()}>
          <p class="state error" role="alert">
            {general()}
          </p>
        </Show>
        <div class="form-actions">
          <button type="submit" class="btn primary" disabled={busy()}>
            Create token
          </button>
        </div>
      </form>
      <Show when={!tokens.error} fallback={<ErrorBox message={errorMessage(tokens.error)} onRetry={() => void refetch()} />}>
        <Show when={tokens.latest} fallback={<Loading label="Loading tokens…" />}>
          <Show when={sorted().length > 0} fallback={<Empty>No tokens.</Empty>}>
            <div class="panel">
              <div class="table-wrap">
                <table class="table static stack" aria-label="Tokens">
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Kind</th>
                      <th>Prefix</th>
                      <th>Created</th>
                      <th>Last used</th>
                      <th>Status</th>
                      <th>
                        <span class="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={sorted()}>
                      {(t) => (
                        <tr classList={{ revoked: !!t.revokedAt }}>
                          <td data-label="Name">{t.name}</td>
                          <td data-label="Kind">{t.kind === "agent" ? "Agent" : "API"}</td>
                          <td data-label="Prefix">
                            <code>{t.prefix}…</code>
                          </td>
                          <td data-label="Created">
                            <Time value={t.createdAt} />
                          </td>
                          <td data-label="Last used">
                            <Time value={t.lastUsedAt} />
                          </td>
                          <td data-label="Status">
                            <Show when={t.revokedAt} fallback={<span class="badge status-completed">Active</span>}>
                              <span class="badge status-failed" title={`Revoked ${t.revokedAt}`}>
                                Revoked
                              </span>
                            </Show>
                          </td>
                          <td class="num">
                            <Show when={!t.revokedAt}>
                              <button type="button" class="btn small ghost" aria-label={`Revoke token ${t.name}`} onClick={() => setRevoking(t)}>
                                Revoke
                              </button>
                            </Show>
                          </td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
            </div>
          </Show>
        </Show>
      </Show>
      <Show when={revoking()}>
        {(t) => (
          <ConfirmDialog title="Revoke token?" confirmLabel="Revoke token" danger busy={busy()} onConfirm={() => void revoke()} onCancel={() => setRevoking(null)}>
            <p>
              <strong>{t().name}</strong> ({t().prefix}…) stops working immediately.{" "}
              Revoking cannot be undone.
            </p>
          </ConfirmDialog>
        )}
      </Show>
    </main>
  );
}
