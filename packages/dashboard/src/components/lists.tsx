import type { ReactNode } from "react";
import { useSession } from "../session";
import type { Paged } from "../use-data";
import { Empty, ErrorNote, Field, Loading, MoreButton } from "./bits";

/**
 * A cursor-paginated list's states in one place: its load error, "Loading …" while the first page
 * is on its way, `empty` when nothing is there, else the items (the `shown` ones, where the page
 * filters the loaded items itself), and the Load more button.
 */
export function PagedList<T>({
  list,
  what,
  empty,
  error,
  shown = list.items,
  children,
}: {
  list: Paged<T>;
  /** What is loaded, for "Loading …" and "Loading … failed": "alerts", "the audit log". */
  what: string;
  /** Said when there is nothing to list; null says nothing. */
  empty: ReactNode;
  /** Shown instead of the plain load error, where a page explains it better. */
  error?: ReactNode;
  shown?: T[];
  children: (items: T[]) => ReactNode;
}) {
  return (
    <>
      {error ?? <ErrorNote error={list.error} action={`Loading ${what}`} />}
      {list.loading && list.items.length === 0 ? (
        <Loading what={`Loading ${what}`} />
      ) : shown.length === 0 ? (
        empty === null ? null : (
          <Empty>{empty}</Empty>
        )
      ) : (
        children(shown)
      )}
      <MoreButton list={list} />
    </>
  );
}

/**
 * A "Project" select over the projects this root key sees; `blank` labels a first option with
 * the value "" (any project, all projects), where there is one.
 */
export function ProjectField({
  value,
  onChange,
  blank,
}: {
  value: string;
  onChange: (projectId: string) => void;
  blank?: string | undefined;
}) {
  const { projects } = useSession();
  return (
    <Field label="Project">
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
          {blank === undefined ? null : <option value="">{blank}</option>}
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
