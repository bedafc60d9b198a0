import type { AuditEntry, AuditVerification as AuditVerify, Project } from "@keysmith/sdk";
import { DataTable, ErrorNote, Field, Loading } from "../components/bits";
import { PagedList, ProjectField } from "../components/lists";
import { formatTime, fromLocalInput, toLocalInput } from "../format";
import { Link, setSearch, useLocation } from "../router";
import { projectName, useSession } from "../session";
import { type Loaded, useData, usePaged } from "../use-data";
import { useTitle } from "../use-title";

const ACTIONS = [
  "project.create",
  "project.update",
  "key.create",
  "key.update",
  "key.roll",
  "key.revoke",
  "root_key.create",
  "root_key.revoke",
  "session.create",
  "session.delete",
  "secret.set",
  "secret.read",
  "secret.export",
];

/** The append-only audit log with filters, and whether its hash chain is intact. */
export function AuditPage() {
  useTitle("Audit log");
  const { api, projects } = useSession();
  const { search } = useLocation();
  const filter = {
    projectId: search.get("projectId") ?? "",
    action: search.get("action") ?? "",
    actorId: search.get("actorId") ?? "",
    targetId: search.get("targetId") ?? "",
    from: search.get("from") ?? "",
    to: search.get("to") ?? "",
  };
  const entries = usePaged(JSON.stringify(filter), (cursor) => api.audit({ ...filter, limit: 50, cursor }));
  const chain = useData("audit-verify", () => api.auditVerify());
  const onText = (name: keyof typeof filter) => (event: { currentTarget: { value: string } }) =>
    setSearch({ [name]: event.currentTarget.value.trim() });

  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        <button
          type="button"
          className="button"
          onClick={() => {
            chain.reload();
            entries.reload();
          }}
        >
          Refresh
        </button>
      </div>
      <ChainStatus chain={chain} />
      <search className="filters" aria-label="Filter the audit log">
        <ProjectField value={filter.projectId} onChange={(id) => setSearch({ projectId: id })} blank="any" />
        <Field label="Action">
          {(props) => (
            <>
              <input
                {...props}
                list="audit-actions"
                defaultValue={filter.action}
                onBlur={onText("action")}
                onKeyDown={(e) => e.key === "Enter" && onText("action")(e)}
              />
              <datalist id="audit-actions">
                {ACTIONS.map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Actor id">
          {(props) => (
            <input
              {...props}
              defaultValue={filter.actorId}
              placeholder="root_…"
              onBlur={onText("actorId")}
              onKeyDown={(e) => e.key === "Enter" && onText("actorId")(e)}
            />
          )}
        </Field>
        <Field label="Target id">
          {(props) => (
            <input
              {...props}
              defaultValue={filter.targetId}
              placeholder="key_…"
              onBlur={onText("targetId")}
              onKeyDown={(e) => e.key === "Enter" && onText("targetId")(e)}
            />
          )}
        </Field>
        <Field label="From">
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              value={toLocalInput(filter.from || null)}
              onChange={(e) => setSearch({ from: fromLocalInput(e.currentTarget.value) })}
            />
          )}
        </Field>
        <Field label="To">
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              value={toLocalInput(filter.to || null)}
              onChange={(e) => setSearch({ to: fromLocalInput(e.currentTarget.value) })}
            />
          )}
        </Field>
      </search>
      <PagedList list={entries} what="the audit log" empty="No entries match.">
        {(items) => <AuditTable entries={items} projects={projects} />}
      </PagedList>
    </>
  );
}

function ChainStatus({ chain }: { chain: Loaded<AuditVerify> }) {
  if (chain.error) return <ErrorNote error={chain.error} action="Checking the chain" />;
  if (!chain.data) return <Loading what="Checking the hash chain" />;
  const result = chain.data;
  return result.valid ? (
    <p className="note note-ok" role="status" data-testid="chain-status">
      <strong>Chain intact.</strong> {result.checked} entries checked; head hash{" "}
      <code>{result.headHash.slice(0, 16)}…</code>
    </p>
  ) : (
    <p className="note note-error" role="alert" data-testid="chain-status">
      <strong>Chain broken at entry #{result.brokenAt}.</strong> {result.reason} An entry was changed or
      removed after it was written.
    </p>
  );
}

function AuditTable({ entries, projects }: { entries: AuditEntry[]; projects: Project[] }) {
  return (
    <DataTable
      label="Audit entries"
      testId="audit-table"
      columns={[
        { label: "#", num: true },
        "When",
        "Action",
        "Target",
        { label: "Actor", narrow: true },
        { label: "Project", narrow: true },
        { label: "Source IP", narrow: true },
        "Details",
      ]}
    >
      {entries.map((entry) => (
        <tr key={entry.id} data-action={entry.action}>
          <td className="num">{entry.seq}</td>
          <td>{formatTime(entry.at)}</td>
          <td>
            <code>{entry.action}</code>
          </td>
          <td className="small">
            {entry.targetType === "key" && entry.targetId ? (
              <Link to={`/keys/${entry.targetId}`} className="mono">
                {entry.targetId}
              </Link>
            ) : (
              <span className="mono">{entry.targetId ?? "—"}</span>
            )}
          </td>
          <td className="hide-narrow small mono">{entry.actorId ?? entry.actorType}</td>
          <td className="hide-narrow">{entry.projectId ? projectName(projects, entry.projectId) : "—"}</td>
          <td className="hide-narrow small">{entry.sourceIp ?? "—"}</td>
          <td>
            {Object.keys(entry.details).length ? (
              <details>
                <summary>Show</summary>
                <pre className="small">{JSON.stringify(entry.details, null, 2)}</pre>
                <p className="small muted mono">hash {entry.hash.slice(0, 16)}…</p>
              </details>
            ) : (
              "—"
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
