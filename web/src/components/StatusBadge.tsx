import type { RunStatus } from "../../../protocol/index.js";

const LABEL: Record<RunStatus, string> = {
  PENDING: "Pending",
  QUEUED: "Queued",
  RUNNING: "Running",
  STOPPING: "Stopping",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANNOT_RUN_FOR_NOW: "Cannot run for now",
};

export function StatusBadge(props: { status: RunStatus }) {
  return (
    <span class={`badge status-${props.status.toLowerCase()}`} data-testid="run-status" data-status={props.status} title={props.status}>
      {LABEL[props.status] ?? props.status}
    </span>
  );
}
