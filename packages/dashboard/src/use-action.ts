import { useState } from "react";

export interface Action {
  /** True while an action runs (and after one that `stays`). */
  busy: boolean;
  /** What the last action threw, until the next one starts. */
  error: Error | undefined;
  setError: (error: Error | undefined) => void;
  /**
   * Runs `action`: busy meanwhile, the last error cleared first and a thrown one kept. After a
   * success busy stays on with `stay` (the dialog or page is about to go), else it ends.
   */
  run: (action: () => Promise<void>, after?: "idle" | "stay") => Promise<void>;
}

/** A write the user started from a form or a dialog, with its busy state and its error. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const run: Action["run"] = async (action, after = "idle") => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      if (after === "idle") setBusy(false);
    } catch (caught) {
      setError(caught as Error);
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
