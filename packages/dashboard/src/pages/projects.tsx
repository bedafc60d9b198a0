import { type FormEvent, useState } from "react";
import { DataTable, Empty, ErrorNote, Field } from "../components/bits";
import { formatNumber, formatTime, splitList } from "../format";
import { Link, navigate } from "../router";
import { useSession } from "../session";
import { useAction } from "../use-action";
import { useTitle } from "../use-title";

/** Every project this root key sees, and a form for a new one. */
export function ProjectsPage() {
  useTitle("Projects");
  const { projects, session } = useSession();
  const canCreate = session.rootKey.projectId === null;
  return (
    <>
      <div className="page-head">
        <h1>Projects</h1>
      </div>
      {projects.length === 0 ? (
        <Empty>
          No projects yet. A project is one API you protect; its prefix starts every key it issues.
        </Empty>
      ) : (
        <DataTable
          label="Projects"
          columns={[
            "Name",
            "Prefix",
            { label: "Public scopes", narrow: true },
            "Budget",
            { label: "Created", narrow: true },
            { label: "Links", hidden: true },
          ]}
        >
          {projects.map((project) => (
            <tr key={project.id}>
              <th scope="row">
                <Link to={`/projects/${project.id}`}>{project.name}</Link>
                <div className="muted mono small">{project.id}</div>
              </th>
              <td className="mono">{project.prefix}</td>
              <td className="hide-narrow">{project.publishableScopes.join(", ") || "—"}</td>
              <td>
                {project.budget ? `${formatNumber(project.budget.limit)} / ${project.budget.period}` : "—"}
              </td>
              <td className="hide-narrow">{formatTime(project.createdAt)}</td>
              <td className="actions">
                <Link to={`/projects/${project.id}`}>Keys</Link>
                <Link to={`/projects/${project.id}/usage`}>Usage</Link>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {canCreate ? <CreateProject /> : null}
    </>
  );
}

function CreateProject() {
  const { api, reloadProjects } = useSession();
  const [name, setName] = useState("");
  const [prefix, setPrefix] = useState("");
  const [scopes, setScopes] = useState("");
  const { busy, error, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const project = await api.createProject({
        name: name.trim(),
        prefix: prefix.trim(),
        ...(scopes.trim() ? { publishableScopes: splitList(scopes) } : {}),
      });
      reloadProjects();
      navigate(`/projects/${project.id}`);
    }, "stay");
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-project">
      <h2 id="new-project">New project</h2>
      <div className="field-row">
        <Field label="Project name">
          {(props) => (
            <input
              {...props}
              required
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Key prefix" hint="2–12 of a–z and 0–9, e.g. acme → acme_sk_live_…">
          {(props) => (
            <input
              {...props}
              required
              pattern="[a-z0-9]{2,12}"
              value={prefix}
              onChange={(e) => setPrefix(e.currentTarget.value.toLowerCase())}
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Public scopes" hint="Scopes publishable keys may hold, e.g. catalog:read.">
          {(props) => <input {...props} value={scopes} onChange={(e) => setScopes(e.currentTarget.value)} />}
        </Field>
      </div>
      <ErrorNote error={error} action="Creating the project" />
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? "Creating…" : "Create project"}
      </button>
    </form>
  );
}
