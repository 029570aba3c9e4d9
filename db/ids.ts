/** Prefixed random identifiers (`run_3f9c…`): readable in logs, unguessable, sortable by nothing. */
export function newId(prefix: string, bytes = 10): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return `${prefix}_${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}`;
}

export const nowIso = (): string => new Date().toISOString();
