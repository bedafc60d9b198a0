import { DataTable, ErrorNote, Field } from "../components/bits";
import { PagedList } from "../components/lists";
import { formatTime, relativeTime } from "../format";
import { Link, setSearch, useLocation } from "../router";
import { projectName, useSession } from "../session";
import { useData, usePaged } from "../use-data";
import { useTitle } from "../use-title";

/** One endpoint and its delivery log: every attempt's status, response and error. */
export function WebhookDetailPage({ webhookId }: { webhookId: string }) {
  useTitle("Webhook deliveries");
  const { api, projects } = useSession();
  const { search } = useLocation();
  const status = search.get("status") ?? "";
  const hook = useData(webhookId, () => api.webhook(webhookId));
  const deliveries = usePaged(`${webhookId}:${status}`, (cursor) =>
    api.deliveries(webhookId, { status, limit: 50, cursor }),
  );

  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link to="/webhooks">Webhooks</Link> /
          </p>
          <h1 className="wrap">{hook.data?.url ?? webhookId}</h1>
          {hook.data ? (
            <p className="muted">
              {projectName(projects, hook.data.projectId)} · {hook.data.events.join(", ")}
              {hook.data.deletedAt ? ` · deleted ${formatTime(hook.data.deletedAt)}` : ""}
            </p>
          ) : null}
        </div>
      </div>
      <ErrorNote error={hook.error} action="Loading the endpoint" />
      <search className="filters" aria-label="Filter deliveries">
        <Field label="Status">
          {(props) => (
            <select {...props} value={status} onChange={(e) => setSearch({ status: e.currentTarget.value })}>
              <option value="">any</option>
              <option value="pending">pending</option>
              <option value="delivered">delivered</option>
              <option value="failed">failed</option>
              <option value="cancelled">cancelled</option>
            </select>
          )}
        </Field>
      </search>
      <PagedList
        list={deliveries}
        what="deliveries"
        empty={<>No deliveries{status ? ` with status ${status}` : " yet"}.</>}
      >
        {(items) => (
          <DataTable
            label="Deliveries"
            columns={[
              "Queued",
              "Event",
              "Status",
              { label: "Attempts", num: true },
              "Response",
              { label: "Last attempt", narrow: true },
              { label: "Next attempt", narrow: true },
            ]}
          >
            {items.map((d) => (
              <tr key={d.id}>
                <td title={formatTime(d.createdAt)}>{relativeTime(d.createdAt)}</td>
                <td>
                  {d.eventType}
                  <div className="small muted mono">{d.alertId}</div>
                </td>
                <td>
                  <span className={`badge badge-${d.status}`}>{d.status}</span>
                </td>
                <td className="num">{d.attempts}</td>
                <td>
                  {d.responseStatus ?? "—"}
                  {d.error ? <div className="small field-error">{d.error}</div> : null}
                </td>
                <td className="hide-narrow">{formatTime(d.lastAttemptAt)}</td>
                <td className="hide-narrow">{formatTime(d.nextAttemptAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedList>
    </>
  );
}
