/**
 * The header's org and project switchers. The choice is remembered (localStorage); opening a link
 * to another org's project switches to that org. Changing org goes home; changing project keeps the
 * section where that makes sense (registrars), else goes home, which shows the chosen project.
 */
import { createEffect, For, on, Show } from "solid-js";
import { activeOrgId, activeProjectId, chooseOrg, chooseProject, me } from "../lib/auth.js";
import { currentRoute, href, navigate } from "../lib/router.js";

export function Switchers() {
  const orgs = () => me()?.orgs ?? [];
  const projects = () => (me()?.projects ?? []).filter((p) => p.orgId === activeOrgId());
  const routePid = () => {
    const r = currentRoute();
    return "pid" in r ? r.pid : null;
  };
  const shownProject = () => routePid() ?? activeProjectId() ?? "";

  // A project in the address (a link, a bookmark) decides the org and becomes the remembered project.
  // Runs when the address (or what we know of the projects) changes, not when the choice does.
  createEffect(
    on([routePid, () => me()?.projects], ([pid, projects]) => {
      const p = pid ? projects?.find((x) => x.id === pid) : undefined;
      if (!p) return;
      if (p.orgId !== activeOrgId()) chooseOrg(p.orgId);
      if (p.id !== activeProjectId()) chooseProject(p.id);
    }),
  );

  const onOrg = (id: string) => {
    chooseOrg(id);
    const first = me()?.projects.find((p) => p.orgId === id);
    if (first) chooseProject(first.id);
    navigate(href({ name: "home" }));
  };
  const onProject = (id: string) => {
    chooseProject(id);
    const r = currentRoute();
    navigate(r.name === "registrars" ? href({ name: "registrars", pid: id }) : href({ name: "home" }));
  };

  return (
    <Show when={me()}>
      <div class="switchers">
        <label class="switcher">
          <span class="visually-hidden">Organisation</span>
          <select aria-label="Organisation" value={activeOrgId() ?? ""} disabled={orgs().length < 2} onChange={(e) => onOrg(e.currentTarget.value)}>
            <For each={orgs()}>{(o) => <option value={o.id}>{o.name}{orgs().length > 1 ? ` (${o.role.toLowerCase()})` : ""}</option>}</For>
          </select>
        </label>
        <label class="switcher">
          <span class="visually-hidden">Project</span>
          <select aria-label="Project" value={shownProject()} disabled={projects().length === 0} onChange={(e) => onProject(e.currentTarget.value)}>
            <Show when={projects().length === 0}>
              <option value="">No projects</option>
            </Show>
            <For each={projects()}>{(p) => <option value={p.id}>{p.name}</option>}</For>
          </select>
        </label>
      </div>
    </Show>
  );
}
