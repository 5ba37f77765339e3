/**
 * The decision on an over-capacity commit, shown where the user is: a modal dialog that takes focus
 * (the reason field under "approval", the Cancel button under "hard stop"). Cancel or Escape closes
 * it and focus goes back to the story's "Commit" button on the board.
 *
 * Without JavaScript the dialog renders open in the page flow (`<dialog open>`), so the reason form
 * still posts and Cancel is a plain link back to the board.
 */
import type { FetcherWithComponents } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";

export interface CommitDecision {
  message: string;
  /** Under the approval policy: a reason lets it in (a manager's at once, a member's after approval). */
  needsApproval?: { storyId: number };
  /** Under the hard-stop policy: refused. */
  refused?: { storyId: number };
}

export interface CommitDialogProps {
  decision: CommitDecision | undefined;
  canManage: boolean;
  /** The route's form component (a fetcher's Form), so the reason posts to the route's action. */
  Form: FetcherWithComponents<unknown>["Form"];
  /** Where Cancel goes without JavaScript. */
  cancelHref: string;
}

export function commitButtonOf(storyId: number): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-story-id="${storyId}"] button[aria-label^="Commit "]`);
}

export function CommitDialog({ decision, canManage, Form, cancelHref }: CommitDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [dismissed, setDismissed] = useState<CommitDecision | undefined>(undefined);
  const storyId = decision?.needsApproval?.storyId ?? decision?.refused?.storyId;
  const open = decision !== undefined && storyId !== undefined && dismissed !== decision;

  useEffect(() => {
    const dialog = ref.current;
    if (!open || !dialog) return;
    if (dialog.open) dialog.close(); // the server-rendered `open` is non-modal; reopen as modal
    if (typeof dialog.showModal === "function") dialog.showModal();
    dialog.querySelector<HTMLElement>("textarea, [data-autofocus]")?.focus();
  }, [open, decision]);

  if (!open || storyId === undefined || !decision) return null;

  const close = () => {
    ref.current?.close();
    setDismissed(decision);
    commitButtonOf(storyId)?.focus();
  };
  const titleId = `commit-dialog-${storyId}-title`;
  return (
    <dialog
      ref={ref}
      open
      className="commit-dialog card stack"
      aria-labelledby={titleId}
      data-testid="commit-dialog"
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
    >
      <h2 id={titleId}>{decision.needsApproval ? "Over capacity: approval needed" : "Over capacity: not committed"}</h2>
      <p data-testid="board-message">{decision.message}</p>
      {decision.needsApproval ? (
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="commit" />
          <input type="hidden" name="storyId" value={storyId} />
          <div className="field">
            <label htmlFor="approval-reason">Why does this story need to go in over capacity?</label>
            <textarea id="approval-reason" name="reason" rows={3} required maxLength={1000} />
            <p className="field-hint">
              {canManage
                ? "As a manager, your reason approves it and is kept in the audit trail."
                : "A manager sees your reason and approves or declines."}
            </p>
          </div>
          <div className="row">
            <button type="submit" className="btn btn-primary">
              {canManage ? "Commit with this reason" : "Ask a manager to approve"}
            </button>
            <CancelButton href={cancelHref} onClose={close} />
          </div>
        </Form>
      ) : (
        <div className="row">
          <CancelButton href={cancelHref} onClose={close} primary />
        </div>
      )}
    </dialog>
  );
}

function CancelButton({ href, onClose, primary }: { href: string; onClose: () => void; primary?: boolean }) {
  return (
    <a
      href={href}
      role="button"
      className="btn btn-ghost"
      data-autofocus={primary ? "" : undefined}
      onClick={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {primary ? "Close" : "Cancel"}
    </a>
  );
}
