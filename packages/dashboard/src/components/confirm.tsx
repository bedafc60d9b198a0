import type { ReactNode } from "react";
import { useAction } from "../use-action";
import { ErrorNote } from "./bits";
import { Dialog } from "./dialog";

/** Asks before a destructive action; shows the action's error in place if it fails. */
export function ConfirmDialog({
  title,
  confirmLabel,
  children,
  onConfirm,
  onCancel,
}: {
  title: string;
  confirmLabel: string;
  children: ReactNode;
  onConfirm: () => Promise<void>;
  onCancel: () => void;
}) {
  const { busy, error, run } = useAction();
  const confirm = () => run(onConfirm, "stay");
  return (
    <Dialog title={title} onClose={onCancel}>
      {children}
      <ErrorNote error={error} action={confirmLabel} />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={confirm} disabled={busy}>
          {busy ? "Working…" : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
