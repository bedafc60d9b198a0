import type { Secret, SecretValue } from "@keysmith/sdk";
import { useState } from "react";
import { ApiError } from "../api";
import { CopyButton, DataTable, Empty, ErrorNote, Field, Loading } from "../components/bits";
import { Dialog } from "../components/dialog";
import { PagedList, ProjectField } from "../components/lists";
import { formatTime, relativeTime } from "../format";
import { setSearch, useLocation } from "../router";
import { useSession } from "../session";
import { useData, usePaged } from "../use-data";
import { useTitle } from "../use-title";

/**
 * The vault: secret names per environment, versions and rotation state. A value is fetched only
 * on an explicit Reveal (which the server audits) and dropped when its dialog closes.
 */
export function VaultPage() {
  useTitle("Vault");
  const { api, projects, session } = useSession();
  const { search } = useLocation();
  const projectId = search.get("projectId") ?? session.rootKey.projectId ?? projects[0]?.id ?? "";
  const environment = search.get("environment") ?? "";
  const includeDeleted = search.get("deleted") === "1";
  const query = { projectId, environment, includeDeleted: includeDeleted || undefined, limit: 100 };
  const secrets = usePaged(`secrets:${JSON.stringify(query)}`, (cursor) =>
    projectId ? api.secrets({ ...query, cursor }) : Promise.resolve({ data: [], nextCursor: null }),
  );
  const [revealing, setRevealing] = useState<Secret | null>(null);
  const [history, setHistory] = useState<Secret | null>(null);
  const locked = secrets.error instanceof ApiError && secrets.error.code === "VAULT_LOCKED";

  return (
    <>
      <div className="page-head">
        <h1>Vault</h1>
      </div>
      <p className="lead">
        Third-party secrets, encrypted per project and environment. Values are never listed: Reveal reads one,
        and the read is recorded in the audit log.
      </p>
      <search className="filters" aria-label="Choose secrets">
        <ProjectField value={projectId} onChange={(id) => setSearch({ projectId: id })} />
        <Field label="Environment" hint="Empty: every environment">
          {(props) => (
            <>
              <input
                {...props}
                list="vault-environments"
                defaultValue={environment}
                placeholder="production"
                onBlur={(e) => setSearch({ environment: e.currentTarget.value.trim() })}
                onKeyDown={(e) =>
                  e.key === "Enter" && setSearch({ environment: e.currentTarget.value.trim() })
                }
              />
              <datalist id="vault-environments">
                <option value="development" />
                <option value="staging" />
                <option value="production" />
              </datalist>
            </>
          )}
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={includeDeleted}
            onChange={(e) => setSearch({ deleted: e.currentTarget.checked ? "1" : null })}
          />{" "}
          Show deleted
        </label>
      </search>
      {!projectId ? (
        <Empty>Create a project first: secrets belong to one.</Empty>
      ) : (
        <PagedList
          list={secrets}
          what="secrets"
          error={
            locked ? (
              <p className="note note-warning">
                The vault is off: the server was started without <code>KEYSMITH_MASTER_KEY</code> (or a
                passphrase).
              </p>
            ) : undefined
          }
          empty={
            secrets.error ? null : (
              <>
                No secrets here yet. Add one with <code>keysmith secrets set NAME --env production</code>.
              </>
            )
          }
        >
          {(items) => (
            <DataTable
              label="Secrets"
              columns={[
                "Name",
                "Environment",
                { label: "Version", num: true },
                "Rotation",
                { label: "Last rotated", narrow: true },
                { label: "Actions", hidden: true },
              ]}
            >
              {items.map((secret) => (
                <tr key={secret.id}>
                  <th scope="row" className="mono">
                    {secret.name}
                    {secret.deletedAt ? <span className="badge badge-revoked">deleted</span> : null}
                  </th>
                  <td>{secret.environment}</td>
                  <td className="num">v{secret.version}</td>
                  <td>
                    {secret.rotateEvery ? (
                      secret.overdue ? (
                        <span className="badge badge-expired">
                          overdue since {formatTime(secret.rotationDueAt)}
                        </span>
                      ) : (
                        <span>
                          every {secret.rotateEvery}, due {relativeTime(secret.rotationDueAt)}
                        </span>
                      )
                    ) : (
                      <span className="muted">no schedule</span>
                    )}
                  </td>
                  <td className="hide-narrow">{formatTime(secret.lastRotatedAt)}</td>
                  <td className="actions">
                    <button type="button" className="button button-quiet" onClick={() => setHistory(secret)}>
                      Versions
                    </button>
                    <button
                      type="button"
                      className="button"
                      onClick={() => setRevealing(secret)}
                      disabled={secret.deletedAt !== null}
                    >
                      Reveal
                    </button>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </PagedList>
      )}
      {revealing ? <Reveal secret={revealing} onClose={() => setRevealing(null)} /> : null}
      {history ? <Versions secret={history} onClose={() => setHistory(null)} /> : null}
    </>
  );
}

function Reveal({ secret, onClose }: { secret: Secret; onClose: () => void }) {
  const { api } = useSession();
  const [value, setValue] = useState<SecretValue | null>(null);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const reveal = async () => {
    setBusy(true);
    try {
      setValue(await api.revealSecret(secret));
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`${secret.name} (${secret.environment})`} onClose={onClose}>
      {value ? (
        <>
          <label className="field-label" htmlFor="secret-value">
            Version {value.version}
            {value.current ? " (current)" : ""}, written {formatTime(value.createdAt)}
          </label>
          <div className="secret-row">
            <textarea
              id="secret-value"
              className="secret-value"
              readOnly
              rows={3}
              value={value.value}
              spellCheck={false}
            />
            <CopyButton text={value.value} />
          </div>
        </>
      ) : (
        <p>
          Revealing shows the current value here and records the read, with your root key, in the audit log.
        </p>
      )}
      <ErrorNote error={error} action="Reveal" />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          {value ? "Hide and close" : "Cancel"}
        </button>
        {value ? null : (
          <button type="button" className="button button-primary" onClick={reveal} disabled={busy}>
            {busy ? "Revealing…" : "Reveal value"}
          </button>
        )}
      </div>
    </Dialog>
  );
}

function Versions({ secret, onClose }: { secret: Secret; onClose: () => void }) {
  const { api } = useSession();
  const versions = useData(`${secret.id}:versions`, () => api.secretVersions(secret));
  return (
    <Dialog title={`${secret.name}: versions`} onClose={onClose}>
      <ErrorNote error={versions.error} action="Loading versions" />
      {versions.data ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Written</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {versions.data.data.map((v) => (
              <tr key={v.version}>
                <td>
                  v{v.version}
                  {v.current ? " (current)" : ""}
                </td>
                <td>{formatTime(v.createdAt)}</td>
                <td className="mono small">{v.createdBy ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : versions.error ? null : (
        <Loading />
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
