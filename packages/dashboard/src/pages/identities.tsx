import type { Identity, RateLimit } from "@keysmith/sdk";
import type { ReactNode } from "react";
import { Empty, ErrorNote, Field, Loading, MoreButton, StatusBadge, TableFrame } from "../components/bits";
import { formatTime } from "../format";
import { Link, setSearch, useLocation } from "../router";
import { projectName, useSession } from "../session";
import { useData, usePaged } from "../use-data";
import { useTitle } from "../use-title";

const windowText = (w: RateLimit) => `${w.name}: ${w.limit.toLocaleString("en-US")} per ${w.duration}`;

/** Identities: the customers behind keys, with the limits and credits their keys share. */
export function IdentitiesPage() {
  useTitle("Identities");
  const { api, projects } = useSession();
  const projectId = useLocation().search.get("projectId") ?? "";
  const list = usePaged(`identities:${projectId}`, (cursor) =>
    api.identities({ projectId: projectId || undefined, limit: 100, cursor }),
  );
  return (
    <>
      <div className="page-head">
        <h1>Identities</h1>
      </div>
      <p className="lead">
        The customer behind keys: every key whose owner is an identity's external id shares its rate limits
        and draws from its credits when it has none of its own.
      </p>
      <search className="filters" aria-label="Filter identities">
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
      <ErrorNote error={list.error} action="Loading identities" />
      {list.items.length === 0 ? (
        list.loading ? (
          <Loading what="Loading identities" />
        ) : (
          <Empty>No identities yet. Create them with the API or `keysmith identities create`.</Empty>
        )
      ) : (
        <TableFrame label="Identities">
          <table>
            <thead>
              <tr>
                <th scope="col">External id</th>
                <th scope="col">Shared limits</th>
                <th scope="col">Credits</th>
                <th scope="col" className="hide-narrow">
                  Project
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((identity) => (
                <tr key={identity.id}>
                  <th scope="row">
                    <Link to={`/identities/${identity.id}`}>{identity.externalId}</Link>
                  </th>
                  <td className="small">{identity.ratelimits?.map(windowText).join(", ") || "none"}</td>
                  <td>{identity.credits ? identity.credits.remaining.toLocaleString("en-US") : "none"}</td>
                  <td className="hide-narrow">{projectName(projects, identity.projectId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      <MoreButton list={list} />
    </>
  );
}

/** One identity: its meta, shared limits and credit pool, and the keys that belong to it. */
export function IdentityDetailPage({ identityId }: { identityId: string }) {
  const { api, projects } = useSession();
  const identity = useData(`identity:${identityId}`, () => api.identity(identityId));
  useTitle(identity.data ? `Identity ${identity.data.externalId}` : "Identity");
  return (
    <>
      <p>
        <Link to="/identities">← Identities</Link>
      </p>
      <ErrorNote error={identity.error} action="Loading the identity" />
      {identity.data ? (
        <IdentityDetail identity={identity.data} project={projectName(projects, identity.data.projectId)} />
      ) : identity.error ? null : (
        <Loading />
      )}
    </>
  );
}

function IdentityDetail({ identity, project }: { identity: Identity; project: string }) {
  const { api } = useSession();
  const keys = usePaged(`identity-keys:${identity.id}`, (cursor) =>
    api.keys({ projectId: identity.projectId, ownerId: identity.externalId, limit: 100, cursor }),
  );
  return (
    <>
      <div className="page-head">
        <h1>{identity.externalId}</h1>
      </div>
      <section className="card" aria-labelledby="identity-facts">
        <h2 id="identity-facts">Settings</h2>
        <dl className="facts">
          <Fact term="Id">
            <code>{identity.id}</code>
          </Fact>
          <Fact term="Project">{project}</Fact>
          <Fact term="Credits">
            {identity.credits
              ? `${identity.credits.remaining.toLocaleString("en-US")} left${
                  identity.credits.refill
                    ? `, refilled to ${identity.credits.refill.amount} each ${identity.credits.refill.interval}`
                    : ""
                }`
              : "no shared credits"}
          </Fact>
          <Fact term="Meta">
            {identity.meta ? <code className="wrap">{JSON.stringify(identity.meta)}</code> : "none"}
          </Fact>
          <Fact term="Created">{formatTime(identity.createdAt)}</Fact>
        </dl>
      </section>
      <h2>Shared limits</h2>
      {identity.ratelimits?.length ? (
        <ul>
          {identity.ratelimits.map((w) => (
            <li key={w.name}>{windowText(w)}, shared by every key below</li>
          ))}
        </ul>
      ) : (
        <p className="muted">None: each key is limited by its own windows only.</p>
      )}
      <h2>Keys</h2>
      <ErrorNote error={keys.error} action="Loading the identity's keys" />
      {keys.items.length === 0 ? (
        keys.loading ? (
          <Loading what="Loading keys" />
        ) : (
          <Empty>No keys with owner {identity.externalId} yet.</Empty>
        )
      ) : (
        <TableFrame label={`Keys of ${identity.externalId}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Roles</th>
                <th scope="col" className="hide-narrow">
                  Last used
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.items.map((key) => (
                <tr key={key.id}>
                  <th scope="row">
                    <Link to={`/keys/${key.id}`}>{key.name ?? key.start}</Link>
                  </th>
                  <td>
                    <StatusBadge status={key.status} />
                  </td>
                  <td className="small">{key.roles.join(", ") || "none"}</td>
                  <td className="hide-narrow">{key.lastUsedAt ? formatTime(key.lastUsedAt) : "never"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      <MoreButton list={keys} />
    </>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
