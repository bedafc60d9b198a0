import type { CreatedWebhook, Webhook } from "@keysmith/sdk";
import { type FormEvent, useState } from "react";
import { ALERT_EVENTS } from "../api-values";
import { DataTable, ErrorNote, Field } from "../components/bits";
import { ConfirmDialog } from "../components/confirm";
import { PagedList, ProjectField } from "../components/lists";
import { ShowOnceDialog } from "../components/show-once";
import { formatTime } from "../format";
import { Link } from "../router";
import { projectName, useSession } from "../session";
import { useAction } from "../use-action";
import { usePaged } from "../use-data";
import { useTitle } from "../use-title";

/** Webhook endpoints: list, add (the signing secret shown once), delete; each links to its deliveries. */
export function WebhooksPage() {
  useTitle("Webhooks");
  const { api, projects } = useSession();
  const hooks = usePaged("webhooks", (cursor) => api.webhooks({ limit: 100, cursor }));
  const [removing, setRemoving] = useState<Webhook | null>(null);

  return (
    <>
      <div className="page-head">
        <h1>Webhooks</h1>
      </div>
      <p className="lead">
        Alerts are sent to these endpoints, signed with the Standard Webhooks scheme, from a durable outbox
        with retries.
      </p>
      <PagedList list={hooks} what="webhooks" empty="No endpoints yet.">
        {(items) => (
          <DataTable
            label="Webhook endpoints"
            columns={[
              "Endpoint",
              "Events",
              { label: "Project", narrow: true },
              { label: "Created", narrow: true },
              { label: "Actions", hidden: true },
            ]}
          >
            {items.map((hook) => (
              <tr key={hook.id}>
                <th scope="row">
                  <Link to={`/webhooks/${hook.id}`} className="wrap">
                    {hook.url}
                  </Link>
                  {hook.description ? <div className="small muted">{hook.description}</div> : null}
                </th>
                <td className="small">{hook.events.join(", ")}</td>
                <td className="hide-narrow">{projectName(projects, hook.projectId)}</td>
                <td className="hide-narrow">{formatTime(hook.createdAt)}</td>
                <td className="actions">
                  <Link to={`/webhooks/${hook.id}`}>Deliveries</Link>
                  <button type="button" className="button button-quiet" onClick={() => setRemoving(hook)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedList>
      <CreateWebhook onCreated={hooks.reload} />
      {removing ? (
        <ConfirmDialog
          title="Delete this endpoint?"
          confirmLabel="Delete endpoint"
          onCancel={() => setRemoving(null)}
          onConfirm={async () => {
            await api.deleteWebhook(removing.id);
            setRemoving(null);
            hooks.reload();
          }}
        >
          <p>
            <code className="wrap">{removing.url}</code> gets no more alerts; its pending deliveries are
            cancelled.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function CreateWebhook({ onCreated }: { onCreated: () => void }) {
  const { api, session } = useSession();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [projectId, setProjectId] = useState(session.rootKey.projectId ?? "");
  const [events, setEvents] = useState<string[]>(["budget.threshold", "budget.exhausted", "key.leaked"]);
  const { busy, error, run } = useAction();
  const [created, setCreated] = useState<CreatedWebhook | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const hook = await api.createWebhook({
        url: url.trim(),
        events,
        projectId: projectId || null,
        description: description.trim() || null,
      });
      setCreated(hook);
      setUrl("");
      setDescription("");
      onCreated();
    });
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-webhook">
      <h2 id="new-webhook">New endpoint</h2>
      <div className="field-row">
        <Field label="URL" hint="http or https; answer 2xx within 10 s.">
          {(props) => (
            <input
              {...props}
              type="url"
              required
              value={url}
              onChange={(e) => setUrl(e.currentTarget.value)}
              placeholder="https://example.com/hooks/keysmith"
            />
          )}
        </Field>
        <ProjectField
          value={projectId}
          onChange={setProjectId}
          blank={session.rootKey.projectId === null ? "All projects" : undefined}
        />
        <Field label="Description">
          {(props) => (
            <input
              {...props}
              value={description}
              maxLength={500}
              onChange={(e) => setDescription(e.currentTarget.value)}
            />
          )}
        </Field>
      </div>
      <fieldset>
        <legend>Events</legend>
        <div className="checks">
          {ALERT_EVENTS.map((name) => (
            <label className="check" key={name}>
              <input
                type="checkbox"
                checked={events.includes(name)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setEvents((list) => (on ? [...list, name] : list.filter((x) => x !== name)));
                }}
              />{" "}
              {name}
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorNote error={error} action="Adding the endpoint" />
      <button type="submit" className="button button-primary" disabled={busy || events.length === 0}>
        {busy ? "Adding…" : "Add endpoint"}
      </button>
      {created ? (
        <ShowOnceDialog
          title="Signing secret"
          label={`Secret for ${created.url}`}
          secret={created.secret}
          onDone={() => setCreated(null)}
        >
          <p className="muted">
            Verify each delivery's webhook-signature with it (HMAC-SHA256, Standard Webhooks).
          </p>
        </ShowOnceDialog>
      ) : null}
    </form>
  );
}
