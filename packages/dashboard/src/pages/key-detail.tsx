import type { Key as ApiKey, RolledKey } from "@keysmith/sdk";
import { type FormEvent, type ReactNode, useState } from "react";
import { Empty, ErrorNote, Field, Loading, StatusBadge } from "../components/bits";
import { ConfirmDialog } from "../components/confirm";
import { Dialog } from "../components/dialog";
import { KeyFields } from "../components/key-fields";
import { ShowOnceDialog } from "../components/show-once";
import { UsagePanel } from "../components/usage-panel";
import { alertSummary, formatDuration, formatNumber, formatTime, maskedKey, relativeTime } from "../format";
import { changedFields, DURATION, type KeyFormState, keyFormFrom, keyFormToBody } from "../key-form";
import { Link, navigate } from "../router";
import { projectName, useSession } from "../session";
import { useAction } from "../use-action";
import { useData, usePaged } from "../use-data";
import { useTitle } from "../use-title";
import { Scopes } from "./project-keys";

/** One key: its settings, usage by outcome, spend against budget, alerts; edit, roll, revoke. */
export function KeyDetailPage({ keyId }: { keyId: string }) {
  const { api, projects } = useSession();
  const loaded = useData(keyId, () => api.key(keyId));
  const [dialog, setDialog] = useState<null | "edit" | "roll" | "revoke">(null);
  const [rolled, setRolled] = useState<RolledKey | null>(null);
  const key = loaded.data;
  useTitle(key ? maskedKey(key) : "Key");

  if (loaded.error) return <ErrorNote error={loaded.error} action="Loading the key" />;
  if (!key) return <Loading what="Loading the key" />;
  const project = projects.find((p) => p.id === key.projectId);
  const closed = key.status === "revoked";

  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link to="/projects">Projects</Link> /{" "}
            <Link to={`/projects/${key.projectId}${key.environment === "test" ? "?env=test" : ""}`}>
              {projectName(projects, key.projectId)}
            </Link>{" "}
            /
          </p>
          <h1 className="mono key-title" data-testid="key-title">
            {maskedKey(key)} <StatusBadge status={key.status} />
          </h1>
          {key.name ? <p className="lead">{key.name}</p> : null}
        </div>
        <div className="actions">
          <button type="button" className="button" onClick={() => setDialog("edit")} disabled={closed}>
            Edit
          </button>
          <button
            type="button"
            className="button"
            onClick={() => setDialog("roll")}
            disabled={closed || key.rolledTo !== null}
          >
            Roll
          </button>
          <button
            type="button"
            className="button button-danger"
            onClick={() => setDialog("revoke")}
            disabled={closed}
          >
            Revoke
          </button>
        </div>
      </div>

      {key.rolledTo ? (
        <p className="note">
          Rolled: the successor is <Link to={`/keys/${key.rolledTo}`}>{key.rolledTo}</Link>
          {key.expiresAt ? `; this key stops working ${formatTime(key.expiresAt)}` : ""}.
        </p>
      ) : null}

      <UsagePanel
        subject={key.id}
        load={(query) => api.keyUsage(key.id, query)}
        budget={key.budget}
        budgetLabel="Key budget"
      />

      <section className="card" aria-labelledby="settings">
        <h2 id="settings">Settings</h2>
        <dl className="facts">
          <Fact term="Id">
            <code>{key.id}</code>
          </Fact>
          <Fact term="Type">{key.type}</Fact>
          <Fact term="Environment">{key.environment}</Fact>
          <Fact term="Owner">{key.ownerId ?? "—"}</Fact>
          <Fact term="Scopes">
            <Scopes scopes={key.scopes} max={50} />
          </Fact>
          <Fact term="Allowed origins">{key.allowedOrigins?.join(", ") || "any"}</Fact>
          <Fact term="Allowed IPs">{key.allowedIps?.join(", ") || "any"}</Fact>
          <Fact term="Created">{formatTime(key.createdAt)}</Fact>
          <Fact term="Last used">
            <span title={formatTime(key.lastUsedAt)}>{relativeTime(key.lastUsedAt)}</span>
          </Fact>
          <Fact term="Expires">{key.expiresAt ? formatTime(key.expiresAt) : "never"}</Fact>
          {key.revokedAt ? <Fact term="Revoked">{formatTime(key.revokedAt)}</Fact> : null}
          {key.rolledFrom ? (
            <Fact term="Rolled from">
              <Link to={`/keys/${key.rolledFrom}`}>{key.rolledFrom}</Link>
            </Fact>
          ) : null}
          <Fact term="Rate limits">
            {key.ratelimits?.length
              ? key.ratelimits
                  .map((r) => `${r.name}: ${formatNumber(r.limit)} per ${formatDuration(r.duration)}`)
                  .join("; ")
              : "project defaults"}
          </Fact>
          <Fact term="Credits">
            {key.credits
              ? `${formatNumber(key.credits.remaining)} left${
                  key.credits.refill
                    ? `, refilled to ${formatNumber(key.credits.refill.amount)} each ${key.credits.refill.interval}`
                    : ""
                }`
              : "unlimited"}
          </Fact>
          <Fact term="Budget">
            {key.budget
              ? `${formatNumber(key.budget.limit)} per ${key.budget.period}${key.budget.hardCap ? ", hard cap" : ""}`
              : "none"}
          </Fact>
          {key.meta ? (
            <Fact term="Meta">
              <code className="wrap">{JSON.stringify(key.meta)}</code>
            </Fact>
          ) : null}
        </dl>
      </section>

      <RecentAlerts query={{ keyId: key.id }} />

      {dialog === "edit" ? (
        <EditKey
          apiKey={key}
          project={project}
          onDone={(updated) => {
            if (updated) loaded.setData(updated);
            setDialog(null);
          }}
        />
      ) : null}
      {dialog === "roll" ? (
        <RollKey
          apiKey={key}
          onCancel={() => setDialog(null)}
          onRolled={(result) => {
            setDialog(null);
            loaded.setData(result.previous);
            setRolled(result);
          }}
        />
      ) : null}
      {dialog === "revoke" ? (
        <RevokeKey
          apiKey={key}
          onCancel={() => setDialog(null)}
          onRevoked={(revoked) => {
            loaded.setData(revoked);
            setDialog(null);
          }}
        />
      ) : null}
      {rolled ? (
        <ShowOnceDialog
          title="The new key"
          label="Successor key, with every setting copied"
          secret={rolled.key}
          onDone={() => {
            const next = rolled.id;
            setRolled(null);
            navigate(`/keys/${next}`);
          }}
        >
          <p className="muted">
            The old key keeps working until {formatTime(rolled.previous.expiresAt)}, then answers EXPIRED.
          </p>
        </ShowOnceDialog>
      ) : null}
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

function EditKey({
  apiKey,
  project,
  onDone,
}: {
  apiKey: ApiKey;
  project: Parameters<typeof KeyFields>[0]["project"];
  onDone: (updated: ApiKey | null) => void;
}) {
  const { api } = useSession();
  const [initial] = useState(() => keyFormFrom(apiKey));
  const [state, setState] = useState<KeyFormState>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, run } = useAction();
  const [nothing, setNothing] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const next = keyFormToBody(state, "edit");
    if (!next.ok) {
      setErrors(next.errors);
      return;
    }
    setErrors({});
    const before = keyFormToBody(initial, "edit");
    const changes = changedFields(before.ok ? before.body : {}, next.body);
    if (Object.keys(changes).length === 0) {
      setNothing(true);
      return;
    }
    await run(async () => onDone(await api.updateKey(apiKey.id, changes)), "stay");
  };

  return (
    <Dialog title={`Edit ${maskedKey(apiKey)}`} onClose={() => onDone(null)} wide testId="edit-key">
      <form onSubmit={submit} noValidate>
        <KeyFields
          state={state}
          update={(change) => {
            setNothing(false);
            setState((s) => ({ ...s, ...change }));
          }}
          errors={errors}
          mode="edit"
          project={project}
        />
        {nothing ? (
          <p className="note" role="status">
            Nothing changed.
          </p>
        ) : null}
        <ErrorNote error={error} action="Saving" />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => onDone(null)}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? "Saving…" : "Save changes"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function RevokeKey({
  apiKey,
  onCancel,
  onRevoked,
}: {
  apiKey: ApiKey;
  onCancel: () => void;
  onRevoked: (revoked: ApiKey) => void;
}) {
  const { api } = useSession();
  const [reason, setReason] = useState("");
  return (
    <ConfirmDialog
      title="Revoke this key?"
      confirmLabel="Revoke key"
      onCancel={onCancel}
      onConfirm={async () => onRevoked(await api.revokeKey(apiKey.id, reason.trim() || undefined))}
    >
      <p>
        <code>{maskedKey(apiKey)}</code> stops working at once, on every node. This cannot be undone.
      </p>
      <Field label="Reason (optional, kept in the audit log)">
        {(props) => (
          <input
            {...props}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
        )}
      </Field>
    </ConfirmDialog>
  );
}

const GRACE_CHOICES = [
  { value: "0s", label: "None: the old key stops at once" },
  { value: "1h", label: "1 hour" },
  { value: "24h", label: "24 hours (the default)" },
  { value: "7d", label: "7 days" },
  { value: "custom", label: "Another period" },
];

function RollKey({
  apiKey,
  onCancel,
  onRolled,
}: {
  apiKey: ApiKey;
  onCancel: () => void;
  onRolled: (rolled: RolledKey) => void;
}) {
  const { api } = useSession();
  const [choice, setChoice] = useState("24h");
  const [custom, setCustom] = useState("");
  const [invalid, setInvalid] = useState<string>();
  const { busy, error, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const grace = choice === "custom" ? custom.trim() : choice;
    if (!DURATION.test(grace)) {
      setInvalid("A whole number and a unit: 30m, 12h, 3d, 2w.");
      return;
    }
    setInvalid(undefined);
    await run(async () => onRolled(await api.rollKey(apiKey.id, grace)), "stay");
  };

  return (
    <Dialog title={`Roll ${maskedKey(apiKey)}`} onClose={onCancel} testId="roll-key">
      <form onSubmit={submit}>
        <p>
          A new key with the same settings is issued. The old one keeps working for the grace period, so you
          can deploy the new one without downtime; then it answers EXPIRED.
        </p>
        <fieldset>
          <legend>Grace period</legend>
          {GRACE_CHOICES.map((option) => (
            <label className="check" key={option.value}>
              <input
                type="radio"
                name="grace"
                value={option.value}
                checked={choice === option.value}
                onChange={() => setChoice(option.value)}
              />{" "}
              {option.label}
            </label>
          ))}
          {choice === "custom" ? (
            <Field label="Grace period" hint="e.g. 30m, 12h, 3d, 2w" error={invalid}>
              {(props) => (
                <input {...props} value={custom} onChange={(e) => setCustom(e.currentTarget.value)} />
              )}
            </Field>
          ) : null}
        </fieldset>
        <ErrorNote error={error} action="Rolling" />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? "Rolling…" : "Roll key"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The latest alerts for a key or a project. */
export function RecentAlerts({ query }: { query: { keyId?: string; projectId?: string } }) {
  const { api } = useSession();
  const alerts = usePaged(`alerts:${JSON.stringify(query)}`, (cursor) =>
    api.alerts({ ...query, limit: 10, cursor }),
  );
  return (
    <section className="card" aria-labelledby="recent-alerts">
      <div className="card-head">
        <h2 id="recent-alerts">Alerts</h2>
        <Link to={`/alerts${query.projectId ? `?projectId=${query.projectId}` : ""}`}>All alerts</Link>
      </div>
      <ErrorNote error={alerts.error} action="Loading alerts" />
      {alerts.items.length === 0 ? (
        alerts.loading ? (
          <Loading what="Loading alerts" />
        ) : (
          <Empty>No alerts.</Empty>
        )
      ) : (
        <ul className="alert-list">
          {alerts.items.map((alert) => (
            <li key={alert.id} className={`alert-item alert-${alert.type.replace(".", "-")}`}>
              <span className="badge">{alert.type}</span> {alertSummary(alert.type, alert.data)}{" "}
              <span className="muted" title={formatTime(alert.createdAt)}>
                {relativeTime(alert.createdAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
