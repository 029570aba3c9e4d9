/**
 * Create / edit a test (groups: name, endpoints, registrar, codec, callee, region) with messages beside
 * each field and a live group topology; for a saved test also Run, Delete and its runs.
 */
import { createMemo, createResource, createSignal, For, Index, onCleanup, Show } from "solid-js";
import { estimateCredits, planErrors } from "../lib/plan.js";
import { createStore, produce, reconcile } from "solid-js/store";
import {
  AUDIO_CODECS,
  CODEC_LABEL,
  TestCreate,
  type Agent,
  type AudioCodec,
  type Registrar,
  type PlanInfo,
  type Test,
  type TestGroup,
  type TestRun,
} from "../../../protocol/index.js";
import { apiDelete, apiGet, apiPost, apiPut, errorMessage, projectPath } from "../lib/api.js";
import { intField, schemaErrors, splitApiError, type FieldErrors } from "../lib/forms.js";
import { href, navigate, runHref, testHref } from "../lib/router.js";
import { ConfirmDialog } from "../components/ConfirmDialog.js";
import { Field, fieldAria } from "../components/Field.js";
import { ErrorBox, Loading } from "../components/States.js";
import { Topology, type TopologyGroup } from "../components/Topology.js";
import { RunHistory } from "../components/RunHistory.js";

type CalleeType = TestGroup["callee"]["type"];
export interface GroupDraft {
  name: string;
  endpoints: string;
  registrarId: string;
  codec: AudioCodec;
  /** Media encryption: OFF (RTP), SDES (SRTP keyed in the SDP) or DTLS (SRTP keyed by a DTLS handshake on the media port). */
  srtp: "OFF" | "SDES" | "DTLS";
  /** Explicit assignment: agent ids (empty = by region). */
  agents: string[];
  calleeType: CalleeType;
  calleeGroup: string;
  calleeUri: string;
  region: string;
  /** Group fields this form does not edit, kept as loaded so saving does not reset them. */
  extra: Record<string, unknown>;
}
export interface TestDraft {
  name: string;
  description: string;
  durationSec: string;
  buildupSec: string;
  groups: GroupDraft[];
}

const EDITED_GROUP_FIELDS = new Set(["name", "registrarId", "endpoints", "codec", "srtp", "agents", "callee", "region"]);
const groupDraft = (g: TestGroup): GroupDraft => ({
  extra: Object.fromEntries(Object.entries(g).filter(([k]) => !EDITED_GROUP_FIELDS.has(k))),
  name: g.name, endpoints: String(g.endpoints), registrarId: g.registrarId, codec: g.codec, srtp: g.srtp ?? "OFF", agents: g.agents ?? [], calleeType: g.callee.type,
  calleeGroup: g.callee.type === "GROUP" ? g.callee.group : "", calleeUri: g.callee.type === "EXTERNAL" ? g.callee.uri : "", region: g.region ?? "",
});
export const draftOfTest = (t: Test): TestDraft => ({
  name: t.name, description: t.description, durationSec: String(t.durationSec), buildupSec: String(t.buildupSec), groups: t.groups.map(groupDraft),
});
export function newTestDraft(registrarId: string): TestDraft {
  const g = (name: string, calleeType: CalleeType, calleeGroup = ""): GroupDraft => ({ name, endpoints: "2", registrarId, codec: "PCMU", srtp: "OFF", agents: [], calleeType, calleeGroup, calleeUri: "", region: "", extra: {} });
  return { name: "", description: "", durationSec: "30", buildupSec: "0", groups: [g("callers", "GROUP", "receivers"), g("receivers", "RECEIVE")] };
}

/** The draft as the API's `TestCreate` body (numbers that are not whole numbers become NaN, caught by `validateDraft`). */
export function draftToBody(d: TestDraft) {
  return {
    name: d.name,
    description: d.description,
    durationSec: intField(d.durationSec),
    buildupSec: intField(d.buildupSec) ?? 0,
    groups: d.groups.map((g) => ({
      ...g.extra,
      name: g.name,
      registrarId: g.registrarId,
      endpoints: intField(g.endpoints),
      codec: g.codec,
      srtp: g.srtp,
      callee: g.calleeType === "GROUP" ? { type: "GROUP" as const, group: g.calleeGroup } : g.calleeType === "EXTERNAL" ? { type: "EXTERNAL" as const, uri: g.calleeUri.trim() } : { type: "RECEIVE" as const },
      region: g.region.trim() === "" ? null : g.region.trim(),
      agents: g.agents.length ? [...g.agents] : null,
    })),
  };
}

export function validateDraft(d: TestDraft): FieldErrors {
  const body = draftToBody(d);
  const errs = schemaErrors(TestCreate, body) ?? {};
  const whole = (raw: string, path: string) => {
    if (raw.trim() === "") errs[path] = "required";
    else if (Number.isNaN(intField(raw))) errs[path] = "must be a whole number";
  };
  whole(d.durationSec, "durationSec");
  if (d.buildupSec.trim() !== "" && Number.isNaN(intField(d.buildupSec))) errs.buildupSec = "must be a whole number";
  d.groups.forEach((g, i) => {
    whole(g.endpoints, `groups.${i}.endpoints`);
    if (!g.registrarId) errs[`groups.${i}.registrarId`] = "choose a registrar";
    if (g.calleeType === "GROUP" && !g.calleeGroup) errs[`groups.${i}.callee.group`] = "choose the group to call";
  });
  return errs;
}

/** Field paths shown on the form (for mapping the API's issues). */
function knownPath(p: string): boolean {
  return /^(name|description|durationSec|buildupSec|groups)$/.test(p) || /^groups\.\d+\.(name|registrarId|endpoints|codec|srtp|agents|region|callee(\.(group|uri|type))?)$/.test(p);
}

function GroupEditor(props: {
  index: number;
  group: GroupDraft;
  names: string[];
  registrars: Registrar[];
  regions: string[];
  agents: AgentChoice[];
  errors: FieldErrors;
  canRemove: boolean;
  set: <K extends keyof GroupDraft>(k: K, v: GroupDraft[K]) => void;
  remove: () => void;
}) {
  const id = (k: string) => `g${props.index}-${k}`;
  const e = (k: string) => props.errors[`groups.${props.index}.${k}`];
  const calleeErr = () => e("callee.group") ?? e("callee.uri") ?? e("callee");
  const targets = () => props.names.filter((n, i) => n && i !== props.index);
  const title = () => props.group.name || `Group ${props.index + 1}`;
  return (
    <fieldset class="group-editor" aria-label={`Group ${props.index + 1}`}>
      <legend>
        Group {props.index + 1}
        <Show when={props.group.name}>: {props.group.name}</Show>
      </legend>
      <div class="form-grid">
        <Field id={id("name")} label="Group name" error={e("name")}>
          <input id={id("name")} value={props.group.name} onInput={(ev) => props.set("name", ev.currentTarget.value)} {...fieldAria(id("name"), e("name"))} />
        </Field>
        <Field id={id("endpoints")} label="Endpoints" error={e("endpoints")}>
          <input id={id("endpoints")} inputmode="numeric" value={props.group.endpoints} onInput={(ev) => props.set("endpoints", ev.currentTarget.value)} {...fieldAria(id("endpoints"), e("endpoints"))} />
        </Field>
        <Field id={id("registrar")} label="Registrar" error={e("registrarId")}>
          <select id={id("registrar")} value={props.group.registrarId} onChange={(ev) => props.set("registrarId", ev.currentTarget.value)} {...fieldAria(id("registrar"), e("registrarId"))}>
            <option value="">Choose…</option>
            <For each={props.registrars}>
              {(r) => (
                <option value={r.id} selected={r.id === props.group.registrarId}>
                  {r.name} ({r.accountCount} accounts)
                </option>
              )}
            </For>
            <Show when={props.group.registrarId && !props.registrars.some((r) => r.id === props.group.registrarId)}>
              <option value={props.group.registrarId} selected>
                {props.group.registrarId} (missing)
              </option>
            </Show>
          </select>
        </Field>
        <Field id={id("codec")} label="Codec" error={e("codec")}>
          <select id={id("codec")} value={props.group.codec} onChange={(ev) => props.set("codec", ev.currentTarget.value as AudioCodec)} {...fieldAria(id("codec"), e("codec"))}>
            <For each={AUDIO_CODECS}>
              {(c) => (
                <option value={c} selected={c === props.group.codec}>
                  {CODEC_LABEL[c]}
                </option>
              )}
            </For>
          </select>
        </Field>
        <Field id={id("srtp")} label="Media encryption" error={e("srtp")} hint="SRTP must be offered and accepted on both sides. SDES sends the keys in the SDP (RTP/SAVP); DTLS-SRTP derives them from a handshake on the media port, checked against the peer's a=fingerprint (UDP/TLS/RTP/SAVP)">
          <select id={id("srtp")} value={props.group.srtp} onChange={(ev) => props.set("srtp", ev.currentTarget.value as "OFF" | "SDES" | "DTLS")} {...fieldAria(id("srtp"), e("srtp"), true)}>
            <option value="OFF" selected={props.group.srtp === "OFF"}>None (RTP)</option>
            <option value="SDES" selected={props.group.srtp === "SDES"}>SRTP, SDES keys (RFC 4568)</option>
            <option value="DTLS" selected={props.group.srtp === "DTLS"}>SRTP, DTLS-SRTP keys (RFC 5764)</option>
          </select>
        </Field>
        <Field id={id("callee-type")} label="Callee" error={e("callee.type")}>
          <select id={id("callee-type")} value={props.group.calleeType} onChange={(ev) => props.set("calleeType", ev.currentTarget.value as CalleeType)} {...fieldAria(id("callee-type"), e("callee.type"))}>
            <option value="GROUP">Call another group</option>
            <option value="EXTERNAL">Call an external URI</option>
            <option value="RECEIVE">Receive calls</option>
          </select>
        </Field>
        <Show when={props.group.calleeType === "GROUP"}>
          <Field id={id("callee-group")} label="Group to call" error={calleeErr()}>
            <select id={id("callee-group")} value={props.group.calleeGroup} onChange={(ev) => props.set("calleeGroup", ev.currentTarget.value)} {...fieldAria(id("callee-group"), calleeErr())}>
              <option value="">Choose…</option>
              <For each={targets()}>
                {(n) => (
                  <option value={n} selected={n === props.group.calleeGroup}>
                    {n}
                  </option>
                )}
              </For>
              <Show when={props.group.calleeGroup && !targets().includes(props.group.calleeGroup)}>
                <option value={props.group.calleeGroup} selected>
                  {props.group.calleeGroup} (missing)
                </option>
              </Show>
            </select>
          </Field>
        </Show>
        <Show when={props.group.calleeType === "EXTERNAL"}>
          <Field id={id("callee-uri")} label="External URI" error={calleeErr()}>
            <input id={id("callee-uri")} value={props.group.calleeUri} placeholder="sip:echo@example.com" onInput={(ev) => props.set("calleeUri", ev.currentTarget.value)} {...fieldAria(id("callee-uri"), calleeErr())} />
          </Field>
        </Show>
        <Field id={id("region")} label="Region" error={e("region")} hint="Empty: any online agent">
          <input id={id("region")} list="known-regions" value={props.group.region} placeholder="any" disabled={props.group.agents.length > 0}
            onInput={(ev) => props.set("region", ev.currentTarget.value)} {...fieldAria(id("region"), e("region"), true)} />
        </Field>
        <Show when={props.agents.length > 0}>
          <Field id={id("agents")} label="Agents" error={e("agents")} hint="Optional: run the group only on these agents (instead of a region)">
            <select id={id("agents")} multiple size={Math.min(4, props.agents.length)}
              onChange={(ev) => props.set("agents", [...ev.currentTarget.selectedOptions].map((o) => o.value))} {...fieldAria(id("agents"), e("agents"), true)}>
              <For each={props.agents}>
                {(a) => <option value={a.id} selected={props.group.agents.includes(a.id)}>{`${a.name} (${a.region}, ${a.status})`}</option>}
              </For>
            </select>
          </Field>
        </Show>
      </div>
      <Show when={props.canRemove}>
        <div class="form-actions">
          <button type="button" class="btn small ghost" onClick={() => props.remove()} aria-label={`Remove group ${title()}`}>
            Remove group
          </button>
        </div>
      </Show>
    </fieldset>
  );
}

function TestRuns(props: { pid: string; tid: string }) {
  const [runs, { refetch }] = createResource(() => props.tid, (tid) => apiGet<TestRun[]>(`${projectPath(props.pid)}/test-runs`, { testId: tid, perPage: 50 }));
  return (
    <section class="panel" aria-label="Runs of this test">
      <div class="panel-head">
        <h2 class="panel-title">Run history</h2>
        <button type="button" class="btn small ghost" onClick={() => void refetch()}>
          Refresh
        </button>
      </div>
      <Show when={!runs.error} fallback={<ErrorBox message={errorMessage(runs.error)} onRetry={() => void refetch()} />}>
        <Show when={runs.latest} fallback={<Loading label="Loading runs…" />}>
          {(list) => (
            <Show when={list().length > 0} fallback={<p class="muted small-text">No runs yet.</p>}>
              <RunHistory pid={props.pid} tid={props.tid} runs={list()} />
            </Show>
          )}
        </Show>
      </Show>
    </section>
  );
}

/** An agent offered for explicit assignment in the group editor. */
export interface AgentChoice {
  id: string;
  name: string;
  region: string;
  status: string;
}

function TestEditor(props: { pid: string; test: Test | null; registrars: Registrar[]; regions: string[]; agents: AgentChoice[] }) {
  const preferred = props.registrars.find((r) => r.builtin) ?? props.registrars[0];
  const [draft, setDraft] = createStore<TestDraft>(props.test ? draftOfTest(props.test) : newTestDraft(preferred?.id ?? ""));
  const [submitted, setSubmitted] = createSignal(false);
  const [serverErrors, setServerErrors] = createSignal<FieldErrors>({});
  const [general, setGeneral] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal<null | "save" | "run" | "delete">(null);
  const [confirmDelete, setConfirmDelete] = createSignal(false);
  const [current, setCurrent] = createSignal<Test | null>(props.test);
  // The org's plan: shown beside the topology and checked like the run's admission will check it.
  const [plan] = createResource(() => apiGet<PlanInfo>("/plan").catch(() => null));
  const planErrs = () => {
    const d = intField(draft.durationSec);
    const b = intField(draft.buildupSec);
    return planErrors(plan(), totalEndpoints(), d === undefined || Number.isNaN(d) ? undefined : d, b === undefined || Number.isNaN(b) ? 0 : b);
  };

  const mq = typeof window !== "undefined" && window.matchMedia ? window.matchMedia("(max-width: 600px)") : null;
  const [narrow, setNarrow] = createSignal(mq?.matches ?? false);
  if (mq) {
    const onChange = () => setNarrow(mq.matches);
    mq.addEventListener?.("change", onChange);
    onCleanup(() => mq.removeEventListener?.("change", onChange));
  }
  const clientErrors = createMemo(() => (submitted() ? { ...planErrs(), ...validateDraft(draft) } : {}));
  const errors = () => ({ ...serverErrors(), ...clientErrors() });
  const names = () => draft.groups.map((g) => g.name);
  const topo = createMemo<TopologyGroup[]>(() =>
    draft.groups.map((g) => {
      const n = intField(g.endpoints);
      return {
        name: g.name, endpoints: n === undefined || Number.isNaN(n) ? null : n, codec: g.codec,
        callee: g.calleeType === "GROUP" ? { type: "GROUP", group: g.calleeGroup } : g.calleeType === "EXTERNAL" ? { type: "EXTERNAL", uri: g.calleeUri } : { type: "RECEIVE" },
      };
    }),
  );
  const totalEndpoints = () => draft.groups.reduce((s, g) => s + (Number(intField(g.endpoints)) || 0), 0);

  const setGroup = (i: number) => <K extends keyof GroupDraft>(k: K, v: GroupDraft[K]) => {
    setServerErrors({});
    setNotice(null);
    setDraft(produce((d) => {
      const old = d.groups[i]!.name;
      d.groups[i]![k] = v;
      // Renaming a group keeps the groups that call it pointing at it.
      if (k === "name" && old) for (const o of d.groups) if (o.calleeType === "GROUP" && o.calleeGroup === old) o.calleeGroup = v as string;
    }));
  };
  const addGroup = () => {
    const used = new Set(names());
    let n = draft.groups.length + 1;
    while (used.has(`group-${n}`)) n++;
    setDraft("groups", (gs) => [...gs, { name: `group-${n}`, endpoints: "1", registrarId: preferred?.id ?? "", codec: "PCMU", srtp: "OFF", agents: [], calleeType: "RECEIVE", calleeGroup: "", calleeUri: "", region: "", extra: {} }]);
  };
  const removeGroup = (i: number) => setDraft("groups", (gs) => gs.filter((_, k) => k !== i));

  const save = async (): Promise<Test | null> => {
    setSubmitted(true);
    setGeneral(null);
    setNotice(null);
    setServerErrors({});
    if (Object.keys({ ...planErrs(), ...validateDraft(draft) }).length) return null;
    const body = draftToBody(draft);
    try {
      const cur = current();
      const saved = cur
        ? await apiPut<Test>(`${projectPath(props.pid)}/tests/${encodeURIComponent(cur.id)}`, body)
        : await apiPost<Test>(`${projectPath(props.pid)}/tests`, body);
      setCurrent(saved);
      if (!cur) navigate(testHref(props.pid, saved.id));
      else {
        setDraft(reconcile(draftOfTest(saved)));
        setNotice("Saved.");
      }
      return saved;
    } catch (e) {
      const s = splitApiError(e, knownPath, errorMessage);
      setServerErrors(s.fields);
      setGeneral(s.general ?? "The server rejected some fields; see the messages below.");
      return null;
    }
  };
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setBusy("save");
    try {
      await save();
    } finally {
      setBusy(null);
    }
  };
  const run = async () => {
    const t = current();
    if (!t) return;
    setBusy("run");
    setGeneral(null);
    try {
      const r = await apiPost<{ testRunId: string }>(`${projectPath(props.pid)}/tests/${encodeURIComponent(t.id)}/run`, {});
      navigate(runHref(props.pid, r.testRunId));
    } catch (e) {
      setGeneral(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  const del = async () => {
    const t = current();
    if (!t) return;
    setBusy("delete");
    try {
      await apiDelete(`${projectPath(props.pid)}/tests/${encodeURIComponent(t.id)}`);
      navigate(href({ name: "home" }));
    } catch (e) {
      setGeneral(errorMessage(e));
      setConfirmDelete(false);
    } finally {
      setBusy(null);
    }
  };
  const err = (k: string) => errors()[k];

  return (
    <>
      <div class="page-head">
        <div>
          <nav class="crumbs" aria-label="Breadcrumb">
            <a href={href({ name: "home" })}>Tests</a> <span aria-hidden="true">/</span> <span>{current() ? current()!.name : "New test"}</span>
          </nav>
          <h1 class="page-title">{current() ? `Test: ${current()!.name}` : "New test"}</h1>
        </div>
        <Show when={current()}>
          <div class="head-actions">
            <button type="button" class="btn primary" disabled={busy() !== null} onClick={() => void run()}>
              {busy() === "run" ? "Starting…" : "Run test"}
            </button>
            <button type="button" class="btn danger" disabled={busy() !== null} onClick={() => setConfirmDelete(true)}>
              Delete test
            </button>
          </div>
        </Show>
      </div>
      <datalist id="known-regions">
        <For each={props.regions}>{(r) => <option value={r} />}</For>
      </datalist>
      <div class="test-layout">
        <form class="panel form" onSubmit={(e) => void onSubmit(e)} aria-label={current() ? "Edit test" : "New test"} novalidate>
          <div class="form-grid">
            <Field id="t-name" label="Test name" error={err("name")} class="wide">
              <input id="t-name" value={draft.name} onInput={(e) => { setDraft("name", e.currentTarget.value); setServerErrors({}); }} {...fieldAria("t-name", err("name"))} />
            </Field>
            <Field id="t-duration" label="Call duration (s)" error={err("durationSec")}>
              <input id="t-duration" inputmode="numeric" value={draft.durationSec} onInput={(e) => setDraft("durationSec", e.currentTarget.value)} {...fieldAria("t-duration", err("durationSec"))} />
            </Field>
            <Field id="t-buildup" label="Buildup (s)" error={err("buildupSec")} hint="Registrations spread over this time">
              <input id="t-buildup" inputmode="numeric" value={draft.buildupSec} onInput={(e) => setDraft("buildupSec", e.currentTarget.value)} {...fieldAria("t-buildup", err("buildupSec"), true)} />
            </Field>
            <Field id="t-description" label="Description" error={err("description")} class="wide">
              <textarea id="t-description" rows="2" value={draft.description} onInput={(e) => setDraft("description", e.currentTarget.value)} {...fieldAria("t-description", err("description"))} />
            </Field>
          </div>
          <Show when={err("groups")}>
            <p class="field-error">Groups: {err("groups")}</p>
          </Show>
          <Index each={draft.groups}>
            {(g, i) => (
              <GroupEditor
                index={i}
                group={g()}
                names={names()}
                registrars={props.registrars}
                regions={props.regions}
                agents={props.agents}
                errors={errors()}
                canRemove={draft.groups.length > 1}
                set={setGroup(i)}
                remove={() => removeGroup(i)}
              />
            )}
          </Index>
          <Show when={Object.keys(clientErrors()).length > 0}>
            <p class="state error" role="alert">
              Fix the fields marked above.
            </p>
          </Show>
          <Show when={general()}>
            <p class="state error" role="alert">
              {general()}
            </p>
          </Show>
          <Show when={notice()}>
            <p class="state notice" role="status">
              {notice()}
            </p>
          </Show>
          <div class="form-actions">
            <button type="button" class="btn" onClick={addGroup} disabled={draft.groups.length >= 50}>
              Add group
            </button>
            <button type="submit" class="btn primary" disabled={busy() !== null}>
              {busy() === "save" ? "Saving…" : current() ? "Save test" : "Create test"}
            </button>
          </div>
        </form>
        <aside class="panel topology-panel" aria-label="Group topology">
          <h2 class="panel-title">Group topology</h2>
          <p class="muted small-text">
            {draft.groups.length} group{draft.groups.length === 1 ? "" : "s"} · {totalEndpoints()} endpoints
          </p>
          <Topology groups={topo()} compact={narrow()} />
          <Show when={plan()}>
            {(p) => (
              <dl class="plan-limits" role="group" aria-label="Plan limits">
                <div classList={{ over: totalEndpoints() > p().limits.maxEndpointsPerTest }}>
                  <dt>Endpoints per test</dt>
                  <dd>
                    {totalEndpoints()} of {p().limits.maxEndpointsPerTest.toLocaleString()}
                  </dd>
                </div>
                <div classList={{ over: (intField(draft.durationSec) ?? 0) > p().limits.maxDurationSec }}>
                  <dt>Call duration</dt>
                  <dd>at most {p().limits.maxDurationSec.toLocaleString()} s</dd>
                </div>
                <div>
                  <dt>Running now</dt>
                  <dd>
                    {p().usage.runningRuns} of {p().limits.maxConcurrentRunsPerOrg} runs · {p().usage.runningEndpoints.toLocaleString()} of{" "}
                    {p().limits.maxConcurrentEndpoints.toLocaleString()} endpoints
                  </dd>
                </div>
                <div>
                  <dt>Credits</dt>
                  <dd>
                    {p().credits.balance === null
                      ? "unmetered"
                      : `${(p().credits.balance! - p().credits.reserved).toLocaleString()} left · a run ≈ ${estimateCredits(totalEndpoints(), (Number(intField(draft.buildupSec)) || 0) + (Number(intField(draft.durationSec)) || 0)).toLocaleString()}`}
                  </dd>
                </div>
              </dl>
            )}
          </Show>
        </aside>
      </div>
      <Show when={current()}>{(t) => <TestRuns pid={props.pid} tid={t().id} />}</Show>
      <Show when={confirmDelete()}>
        <ConfirmDialog title="Delete test?" confirmLabel="Delete test" danger busy={busy() === "delete"} onConfirm={() => void del()} onCancel={() => setConfirmDelete(false)}>
          <p>
            <strong>{current()?.name}</strong> will be deleted. Its past runs stay available.
          </p>
        </ConfirmDialog>
      </Show>
    </>
  );
}

export function TestPage(props: { pid: string; tid?: string }) {
  const [data, { refetch }] = createResource(
    () => [props.pid, props.tid ?? ""] as const,
    async ([pid, tid]) => {
      const [test, registrars, agents] = await Promise.all([
        tid ? apiGet<Test>(`${projectPath(pid)}/tests/${encodeURIComponent(tid)}`) : Promise.resolve(null),
        apiGet<Registrar[]>(`${projectPath(pid)}/registrars`),
        apiGet<Agent[]>("/agents").catch(() => [] as Agent[]),
      ]);
      return {
        test, registrars, regions: [...new Set(agents.map((a) => a.region))].sort(),
        agents: agents.map((a) => ({ id: a.id, name: a.name, region: a.region, status: a.status })),
      };
    },
  );
  return (
    <main class="page test-page">
      <Show when={!data.error} fallback={<ErrorBox message={errorMessage(data.error)} onRetry={() => void refetch()} />}>
        <Show when={data()} keyed fallback={<Loading label="Loading test…" />}>
          {(d) => <TestEditor pid={props.pid} test={d.test} registrars={d.registrars} regions={d.regions} agents={d.agents} />}
        </Show>
      </Show>
    </main>
  );
}
