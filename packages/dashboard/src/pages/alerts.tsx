import { ALERT_EVENTS } from "../api-values";
import { DataTable, Field } from "../components/bits";
import { PagedList, ProjectField } from "../components/lists";
import { alertSummary, formatTime, relativeTime } from "../format";
import { Link, setSearch, useLocation } from "../router";
import { projectName, useSession } from "../session";
import { usePaged } from "../use-data";
import { useTitle } from "../use-title";

/** Every alert raised, newest first, by type and project. */
export function AlertsPage() {
  useTitle("Alerts");
  const { api, projects } = useSession();
  const { search } = useLocation();
  const type = search.get("type") ?? "";
  const projectId = search.get("projectId") ?? "";
  const query = { type, projectId, limit: 50 };
  const alerts = usePaged(JSON.stringify(query), (cursor) => api.alerts({ ...query, cursor }));

  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
      </div>
      <search className="filters" aria-label="Filter alerts">
        <Field label="Type">
          {(props) => (
            <select {...props} value={type} onChange={(e) => setSearch({ type: e.currentTarget.value })}>
              <option value="">any</option>
              {ALERT_EVENTS.map((event) => (
                <option key={event} value={event}>
                  {event}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ProjectField value={projectId} onChange={(id) => setSearch({ projectId: id })} blank="any" />
      </search>
      <PagedList
        list={alerts}
        what="alerts"
        empty={
          <>
            No alerts{type || projectId ? " match these filters" : " yet"}. Budget thresholds, spikes, leaks,
            expiring keys, rolls and revocations show here.
          </>
        }
      >
        {(items) => (
          <DataTable
            label="Alerts"
            columns={["When", "Type", "What", { label: "Project", narrow: true }, "Key"]}
          >
            {items.map((alert) => (
              <tr key={alert.id}>
                <td title={formatTime(alert.createdAt)}>{relativeTime(alert.createdAt)}</td>
                <td>
                  <span className={`badge alert-${alert.type.replace(".", "-")}`}>{alert.type}</span>
                </td>
                <td>{alertSummary(alert.type, alert.data)}</td>
                <td className="hide-narrow">
                  {alert.projectId ? projectName(projects, alert.projectId) : "—"}
                </td>
                <td>
                  {alert.keyId ? (
                    <Link to={`/keys/${alert.keyId}`} className="mono small">
                      {alert.keyId}
                    </Link>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedList>
    </>
  );
}
