import { type ReactNode, useId, useState } from "react";
import { ApiError } from "../api";

/** A status word with a shape as well as a colour (the dot), for people who do not see colour. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

export function ErrorNote({ error, action }: { error: Error | undefined; action?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  return (
    <div className="note note-error" role="alert">
      <strong>{action ? `${action} failed` : "Something went wrong"}:</strong> {error.message}
      {api ? (
        <span className="muted">
          {" "}
          ({api.code}
          {api.requestId ? `, request ${api.requestId}` : ""})
        </span>
      ) : null}
    </div>
  );
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p className="muted" role="status">
      {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A labelled form control with an optional hint and error, wired up with aria-describedby. */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (props: { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
        ...(error ? { "aria-invalid": true } : {}),
      })}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Copies text to the clipboard and says so (for screen readers too). */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <>
      <button type="button" className="button" onClick={copy}>
        {state === "copied" ? "Copied" : label}
      </button>
      <span className="visually-hidden" role="status">
        {state === "copied"
          ? "Copied to the clipboard."
          : state === "failed"
            ? "Copying failed: select the text and copy it."
            : ""}
      </span>
    </>
  );
}

/** A horizontally scrolling frame, so a wide table never widens a phone's page. */
export function TableFrame({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className="table-frame" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

/**
 * A column head: its text, or its text and where it shows: `narrow` hides it on a narrow
 * screen, `num` aligns it as a number, `hidden` keeps it for screen readers only.
 */
export type Column = string | { label: string; narrow?: boolean; num?: boolean; hidden?: boolean };

/** A table in a `TableFrame` with a row of column heads; `children` are its body rows. */
export function DataTable({
  label,
  columns,
  testId,
  children,
}: {
  label: string;
  columns: Column[];
  testId?: string;
  children: ReactNode;
}) {
  return (
    <TableFrame label={label}>
      <table data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) => {
              const {
                label: text,
                narrow,
                num,
                hidden,
              } = typeof column === "string" ? { label: column } : column;
              return (
                <th key={text} scope="col" className={narrow ? "hide-narrow" : num ? "num" : undefined}>
                  {hidden ? <span className="visually-hidden">{text}</span> : text}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </TableFrame>
  );
}

export function MoreButton({ list }: { list: { hasMore: boolean; loading: boolean; loadMore: () => void } }) {
  if (!list.hasMore) return null;
  return (
    <button type="button" className="button more" onClick={list.loadMore} disabled={list.loading}>
      {list.loading ? "Loading…" : "Load more"}
    </button>
  );
}
