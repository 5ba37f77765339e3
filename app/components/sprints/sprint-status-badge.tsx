// How a sprint's status looks wherever sprints are listed.
import { SPRINT_STATUS_LABELS, type SprintStatus } from "~/domain/sprint";

const STATUS_CLASS: Record<SprintStatus, string> = {
  planned: "badge badge-info",
  active: "badge badge-ok",
  closed: "badge",
};

export function SprintStatusBadge({ status, overdue = false }: { status: SprintStatus; overdue?: boolean }) {
  if (overdue) return <span className="badge badge-warn">Ended · not closed</span>;
  return <span className={STATUS_CLASS[status]}>{SPRINT_STATUS_LABELS[status]}</span>;
}
