import type { Key as ApiKey, KeyEnvironment as Environment, Project } from "@keysmith/sdk";
import { useState } from "react";
import { DataTable, Field, StatusBadge } from "../components/bits";
import { CreateKey } from "../components/create-key";
import { PagedList } from "../components/lists";
import { ProjectPage } from "../components/project-page";
import { formatTime, keyMatches, looksLikeKey, maskedKey, relativeTime } from "../format";
import { Link, setSearch, useLocation } from "../router";
import { useSession } from "../session";
import { usePaged } from "../use-data";

/** A project's keys in one environment, filtered by status, type and owner, searchable. */
export function ProjectKeysPage({ projectId }: { projectId: string }) {
  return (
    <ProjectPage projectId={projectId} current="keys">
      {(project) => <KeysOf project={project} />}
    </ProjectPage>
  );
}

function KeysOf({ project }: { project: Project }) {
  const { api } = useSession();
  const { search } = useLocation();
  const environment: Environment = search.get("env") === "test" ? "test" : "live";
  const status = search.get("status") ?? "";
  const type = search.get("type") ?? "";
  const owner = search.get("owner") ?? "";
  // The search box filters the loaded keys here and is never sent (someone may paste a key).
  const [text, setText] = useState("");
  const query = { projectId: project.id, environment, status, type, ownerId: owner, limit: 100 };
  const keys = usePaged(JSON.stringify(query), (cursor) => api.keys({ ...query, cursor }));
  const shown = keys.items.filter((key) => matches(key, text));

  return (
    <>
      <div className="toolbar">
        <fieldset className="segmented">
          <legend className="visually-hidden">Environment</legend>
          {(["live", "test"] as const).map((env) => (
            <button
              key={env}
              type="button"
              className="button"
              aria-pressed={environment === env}
              onClick={() => setSearch({ env: env === "live" ? null : env })}
            >
              {env}
            </button>
          ))}
        </fieldset>
        <CreateKey project={project} environment={environment} onCreated={keys.reload} />
      </div>
      <search className="filters" aria-label="Filter keys">
        <Field label="Search">
          {(props) => (
            <input
              {...props}
              type="search"
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              placeholder="Name, owner, id or a whole key"
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Status">
          {(props) => (
            <select {...props} value={status} onChange={(e) => setSearch({ status: e.currentTarget.value })}>
              <option value="">any</option>
              <option value="active">active</option>
              <option value="disabled">disabled</option>
              <option value="expired">expired</option>
              <option value="revoked">revoked</option>
            </select>
          )}
        </Field>
        <Field label="Type">
          {(props) => (
            <select {...props} value={type} onChange={(e) => setSearch({ type: e.currentTarget.value })}>
              <option value="">any</option>
              <option value="secret">secret</option>
              <option value="restricted">restricted</option>
              <option value="publishable">publishable</option>
            </select>
          )}
        </Field>
        <Field label="Owner ID">
          {(props) => (
            <input
              {...props}
              defaultValue={owner}
              placeholder="exact, e.g. cus_42"
              onBlur={(e) => setSearch({ owner: e.currentTarget.value.trim() })}
              onKeyDown={(e) => {
                if (e.key === "Enter") setSearch({ owner: e.currentTarget.value.trim() });
              }}
            />
          )}
        </Field>
      </search>
      <PagedList
        list={keys}
        what="keys"
        shown={shown}
        empty={
          keys.items.length === 0
            ? `No ${environment} keys${status || type || owner ? " match these filters" : " yet"}.`
            : "No loaded key matches the search."
        }
      >
        {(items) => <KeyTable keys={items} />}
      </PagedList>
    </>
  );
}

function matches(key: ApiKey, text: string): boolean {
  const needle = text.trim();
  if (!needle) return true;
  if (looksLikeKey(needle)) return keyMatches(needle, key);
  const lower = needle.toLowerCase();
  return [key.id, key.name, key.ownerId, key.start, key.last4, ...key.scopes].some((field) =>
    field?.toLowerCase().includes(lower),
  );
}

export function KeyTable({ keys }: { keys: ApiKey[] }) {
  return (
    <DataTable
      label="Keys"
      testId="keys-table"
      columns={[
        "Key",
        "Owner",
        "Type",
        { label: "Scopes", narrow: true },
        "Status",
        "Last used",
        { label: "Expires", narrow: true },
      ]}
    >
      {keys.map((key) => (
        <tr key={key.id}>
          <th scope="row">
            <Link to={`/keys/${key.id}`} className="mono">
              {maskedKey(key)}
            </Link>
            {key.name ? <div className="small">{key.name}</div> : null}
          </th>
          <td>{key.ownerId ?? "—"}</td>
          <td>{key.type}</td>
          <td className="hide-narrow">
            <Scopes scopes={key.scopes} />
          </td>
          <td>
            <StatusBadge status={key.status} />
          </td>
          <td title={formatTime(key.lastUsedAt)}>{relativeTime(key.lastUsedAt)}</td>
          <td className="hide-narrow">{key.expiresAt ? formatTime(key.expiresAt) : "never"}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function Scopes({ scopes, max = 3 }: { scopes: string[]; max?: number }) {
  if (scopes.length === 0) return <span className="muted">none</span>;
  const shown = scopes.slice(0, max);
  return (
    <span className="chips">
      {shown.map((scope) => (
        <code key={scope} className="chip">
          {scope}
        </code>
      ))}
      {scopes.length > max ? <span className="muted"> +{scopes.length - max}</span> : null}
    </span>
  );
}
