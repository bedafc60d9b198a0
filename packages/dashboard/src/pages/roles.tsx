import type { Role } from "@keysmith/sdk";
import { type FormEvent, useState } from "react";
import { Empty, ErrorNote, Field, Loading, MoreButton, TableFrame } from "../components/bits";
import { ConfirmDialog } from "../components/confirm";
import { setSearch, useLocation } from "../router";
import { projectName, useSession } from "../session";
import { usePaged } from "../use-data";
import { useTitle } from "../use-title";

const scopeList = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Roles: named scope sets per project; a change reaches every key holding the role at once. */
export function RolesPage() {
  useTitle("Roles");
  const { api, projects } = useSession();
  const projectId = useLocation().search.get("projectId") ?? "";
  const list = usePaged(`roles:${projectId}`, (cursor) =>
    api.roles({ projectId: projectId || undefined, limit: 100, cursor }),
  );
  const [editing, setEditing] = useState<Role | null>(null);
  const [removing, setRemoving] = useState<Role | null>(null);
  return (
    <>
      <div className="page-head">
        <h1>Roles</h1>
      </div>
      <p className="lead">
        A role is a named set of scopes. Keys holding it verify with its scopes too, and a change here reaches
        every such key at its next verification.
      </p>
      <search className="filters" aria-label="Filter roles">
        <Field label="Project">
          {(props) => (
            <select
              {...props}
              value={projectId}
              onChange={(e) => setSearch({ projectId: e.currentTarget.value })}
            >
              <option value="">any</option>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </search>
      <ErrorNote error={list.error} action="Loading roles" />
      {list.items.length === 0 ? (
        list.loading ? (
          <Loading what="Loading roles" />
        ) : (
          <Empty>No roles yet.</Empty>
        )
      ) : (
        <TableFrame label="Roles">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col" className="hide-narrow">
                  Project
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((role) => (
                <tr key={role.id}>
                  <th scope="row">{role.name}</th>
                  <td className="small">{role.scopes.join(", ") || "none"}</td>
                  <td className="hide-narrow">{projectName(projects, role.projectId)}</td>
                  <td className="actions">
                    <button type="button" className="button button-quiet" onClick={() => setEditing(role)}>
                      Edit
                    </button>
                    <button type="button" className="button button-quiet" onClick={() => setRemoving(role)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      <MoreButton list={list} />
      <RoleForm
        key={editing?.id ?? "new"}
        role={editing}
        onDone={() => {
          setEditing(null);
          list.reload();
        }}
      />
      {removing ? (
        <ConfirmDialog
          title={`Delete the role ${removing.name}?`}
          confirmLabel="Delete role"
          onCancel={() => setRemoving(null)}
          onConfirm={async () => {
            await api.deleteRole(removing.id);
            setRemoving(null);
            list.reload();
          }}
        >
          <p>Every key holding it loses its scopes at its next verification.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** Creates a role, or (given one) edits its name and scopes. */
function RoleForm({ role, onDone }: { role: Role | null; onDone: () => void }) {
  const { api, projects, session } = useSession();
  const [name, setName] = useState(role?.name ?? "");
  const [scopes, setScopes] = useState(role?.scopes.join(", ") ?? "");
  const [projectId, setProjectId] = useState(
    role?.projectId ?? session.rootKey.projectId ?? projects[0]?.id ?? "",
  );
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (role) await api.updateRole(role.id, { name: name.trim(), scopes: scopeList(scopes) });
      else await api.createRole({ projectId, name: name.trim(), scopes: scopeList(scopes) });
      setName("");
      setScopes("");
      onDone();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };

  const heading = role ? `Edit role ${role.name}` : "New role";
  return (
    <form className="card" onSubmit={submit} aria-labelledby="role-form">
      <h2 id="role-form">{heading}</h2>
      <div className="field-row">
        <Field label="Name" hint="Letters, digits and _ . : -">
          {(props) => (
            <input
              {...props}
              required
              maxLength={64}
              pattern="[A-Za-z0-9_.:\-]+"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Scopes" hint="Comma- or space-separated, e.g. invoices:read refunds:*">
          {(props) => <input {...props} value={scopes} onChange={(e) => setScopes(e.currentTarget.value)} />}
        </Field>
        {role ? null : (
          <Field label="Project">
            {(props) => (
              <select {...props} value={projectId} onChange={(e) => setProjectId(e.currentTarget.value)}>
                {projects.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      <ErrorNote error={error} action={role ? "Saving the role" : "Creating the role"} />
      <button type="submit" className="button button-primary" disabled={busy || (!role && !projectId)}>
        {busy ? "Saving…" : role ? "Save role" : "Create role"}
      </button>
      {role ? (
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      ) : null}
    </form>
  );
}
