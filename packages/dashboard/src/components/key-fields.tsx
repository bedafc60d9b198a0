import type { Project } from "@keysmith/sdk";
import type { KeyFormState } from "../key-form";
import { Field } from "./bits";

type Update = (change: Partial<KeyFormState>) => void;

/** Every setting of a key, for create (type and environment too) and edit (enabled too). */
export function KeyFields({
  state,
  update,
  errors,
  mode,
  project,
}: {
  state: KeyFormState;
  update: Update;
  errors: Record<string, string>;
  mode: "create" | "edit";
  project: Project | undefined;
}) {
  const text =
    (name: keyof KeyFormState) =>
    (event: { currentTarget: { value: string } }): void =>
      update({ [name]: event.currentTarget.value } as Partial<KeyFormState>);
  const setLimit = (i: number, change: Partial<KeyFormState["ratelimits"][number]>) =>
    update({ ratelimits: state.ratelimits.map((row, j) => (j === i ? { ...row, ...change } : row)) });

  return (
    <>
      <fieldset>
        <legend>Key</legend>
        {mode === "create" ? (
          <div className="field-row">
            <Field label="Type" hint={typeHint(state.type)}>
              {(props) => (
                <select {...props} value={state.type} onChange={text("type")}>
                  <option value="secret">Secret (sk): server side</option>
                  <option value="restricted">Restricted (rk): listed scopes only</option>
                  <option value="publishable">Publishable (pk): safe in a browser</option>
                </select>
              )}
            </Field>
            <Field label="Environment">
              {(props) => (
                <select {...props} value={state.environment} onChange={text("environment")}>
                  <option value="live">live</option>
                  <option value="test">test</option>
                </select>
              )}
            </Field>
          </div>
        ) : (
          <label className="check">
            <input
              type="checkbox"
              checked={state.enabled}
              onChange={(event) => update({ enabled: event.currentTarget.checked })}
            />{" "}
            Enabled (a disabled key answers DISABLED until enabled again)
          </label>
        )}
        <div className="field-row">
          <Field label="Name" hint="For you, e.g. “Production server”." error={errors.name}>
            {(props) => <input {...props} value={state.name} onChange={text("name")} maxLength={200} />}
          </Field>
          <Field label="Owner ID" hint="Your customer's id, e.g. cus_42." error={errors.ownerId}>
            {(props) => <input {...props} value={state.ownerId} onChange={text("ownerId")} maxLength={200} />}
          </Field>
        </div>
        <Field label="Scopes" hint={scopesHint(state.type, project)} error={errors.scopes}>
          {(props) => (
            <input
              {...props}
              value={state.scopes}
              onChange={text("scopes")}
              placeholder="invoices:read invoices:write"
              spellCheck={false}
            />
          )}
        </Field>
      </fieldset>

      <details className="section" open={mode === "edit" || state.type === "publishable"}>
        <summary>Where it may be used, and until when</summary>
        <div className="field-row">
          <Field
            label="Allowed origins"
            hint="One a line: https://app.example.com or https://*.example.com. Empty: any."
            error={errors.allowedOrigins}
          >
            {(props) => (
              <textarea
                {...props}
                rows={3}
                value={state.allowedOrigins}
                onChange={text("allowedOrigins")}
                spellCheck={false}
              />
            )}
          </Field>
          <Field
            label="Allowed IPs"
            hint="One a line: addresses or CIDR ranges. Empty: any."
            error={errors.allowedIps}
          >
            {(props) => (
              <textarea
                {...props}
                rows={3}
                value={state.allowedIps}
                onChange={text("allowedIps")}
                spellCheck={false}
              />
            )}
          </Field>
        </div>
        <Field label="Expires" hint="In your time zone. Empty: never." error={errors.expiresAt}>
          {(props) => (
            <input {...props} type="datetime-local" value={state.expiresAt} onChange={text("expiresAt")} />
          )}
        </Field>
      </details>

      <details className="section" open={mode === "edit"}>
        <summary>Rate limits, credits and budget</summary>
        <fieldset>
          <legend>Rate limits</legend>
          <p className="hint">Named windows checked together. None: the project's defaults.</p>
          {state.ratelimits.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
            <div className="field-row ratelimit-row" key={i}>
              <Field label={`Window ${i + 1} name`} error={errors[`ratelimits.${i}.name`]}>
                {(props) => (
                  <input
                    {...props}
                    value={row.name}
                    onChange={(e) => setLimit(i, { name: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field label="Limit" error={errors[`ratelimits.${i}.limit`]}>
                {(props) => (
                  <input
                    {...props}
                    inputMode="numeric"
                    value={row.limit}
                    onChange={(e) => setLimit(i, { limit: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field label="Per" hint="1s, 1m, 1h, 1d" error={errors[`ratelimits.${i}.duration`]}>
                {(props) => (
                  <input
                    {...props}
                    value={row.duration}
                    onChange={(e) => setLimit(i, { duration: e.currentTarget.value })}
                  />
                )}
              </Field>
              <button
                type="button"
                className="button button-quiet"
                onClick={() => update({ ratelimits: state.ratelimits.filter((_, j) => j !== i) })}
              >
                Remove window {i + 1}
              </button>
            </div>
          ))}
          <button
            type="button"
            className="button"
            onClick={() =>
              update({
                ratelimits: [
                  ...state.ratelimits,
                  {
                    name: state.ratelimits.length ? `window${state.ratelimits.length + 1}` : "burst",
                    limit: "50",
                    duration: "1s",
                  },
                ],
              })
            }
          >
            Add a window
          </button>
        </fieldset>

        <fieldset>
          <legend>Credits</legend>
          <div className="field-row">
            <Field
              label="Credits remaining"
              hint="Each valid call takes its cost. Empty: unlimited."
              error={errors.creditsRemaining}
            >
              {(props) => (
                <input
                  {...props}
                  inputMode="decimal"
                  value={state.creditsRemaining}
                  onChange={text("creditsRemaining")}
                />
              )}
            </Field>
            <Field label="Refill to" error={errors.refillAmount}>
              {(props) => (
                <input
                  {...props}
                  inputMode="decimal"
                  value={state.refillAmount}
                  onChange={text("refillAmount")}
                />
              )}
            </Field>
            <Field label="Refill every" error={errors.refillInterval}>
              {(props) => (
                <select {...props} value={state.refillInterval} onChange={text("refillInterval")}>
                  <option value="">never</option>
                  <option value="day">day</option>
                  <option value="month">month</option>
                </select>
              )}
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend>Budget</legend>
          <div className="field-row">
            <Field label="Budget limit" hint="Spend per period. Empty: no budget." error={errors.budgetLimit}>
              {(props) => (
                <input
                  {...props}
                  inputMode="decimal"
                  value={state.budgetLimit}
                  onChange={text("budgetLimit")}
                />
              )}
            </Field>
            <Field label="Period">
              {(props) => (
                <select {...props} value={state.budgetPeriod} onChange={text("budgetPeriod")}>
                  <option value="month">month</option>
                  <option value="day">day</option>
                </select>
              )}
            </Field>
            <Field label="Alert at (%)" hint="e.g. 80, 100" error={errors.budgetThresholds}>
              {(props) => (
                <input {...props} value={state.budgetThresholds} onChange={text("budgetThresholds")} />
              )}
            </Field>
          </div>
          <label className="check">
            <input
              type="checkbox"
              checked={state.budgetHardCap}
              onChange={(event) => update({ budgetHardCap: event.currentTarget.checked })}
            />{" "}
            Hard cap: refuse calls past the limit (BUDGET_EXCEEDED)
          </label>
        </fieldset>
      </details>

      <details className="section">
        <summary>Meta</summary>
        <Field
          label="Meta (JSON)"
          hint="Returned on every verification, e.g. {&quot;plan&quot;: &quot;pro&quot;}."
          error={errors.meta}
        >
          {(props) => (
            <textarea {...props} rows={3} value={state.meta} onChange={text("meta")} spellCheck={false} />
          )}
        </Field>
      </details>
    </>
  );
}

function typeHint(type: KeyFormState["type"]): string {
  if (type === "publishable") return "Only the project's public scopes, only from its allowed origins.";
  if (type === "restricted") return "A secret key limited to the scopes you list.";
  return "Full access unless you list scopes.";
}

function scopesHint(type: KeyFormState["type"], project: Project | undefined): string {
  const base = "Separated by spaces or commas; * wildcards: invoices:*.";
  if (type === "publishable") {
    const allowed = project?.publishableScopes.length ? project.publishableScopes.join(", ") : "none set";
    return `${base} Public scopes of this project: ${allowed}.`;
  }
  if (type === "secret") return `${base} Empty: every scope (*).`;
  return base;
}
