import type { KeyEnvironment as Environment, IssuedKey, Project } from "@keysmith/sdk";
import { type FormEvent, useState } from "react";
import { maskedKey } from "../format";
import { emptyKeyForm, type KeyFormState, keyFormToBody } from "../key-form";
import { Link } from "../router";
import { useSession } from "../session";
import { useAction } from "../use-action";
import { ErrorNote } from "./bits";
import { Dialog } from "./dialog";
import { KeyFields } from "./key-fields";
import { ShowOnceDialog } from "./show-once";

/**
 * The create-key flow: a form with every option, then the new key in a show-once dialog. The
 * plaintext is held only until that dialog closes.
 */
export function CreateKey({
  project,
  environment,
  onCreated,
}: {
  project: Project;
  environment: Environment;
  onCreated: () => void;
}) {
  const { api } = useSession();
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<KeyFormState>(() => emptyKeyForm(environment));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, setError, run } = useAction();
  const [issued, setIssued] = useState<IssuedKey | null>(null);

  const start = () => {
    setState(emptyKeyForm(environment));
    setErrors({});
    setError(undefined);
    setOpen(true);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = keyFormToBody(state, "create");
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    await run(async () => {
      const created = await api.createKey({ projectId: project.id, ...result.body });
      setOpen(false);
      setIssued(created);
      onCreated();
    });
  };

  return (
    <>
      <button type="button" className="button button-primary" onClick={start}>
        Create key
      </button>
      {open ? (
        <Dialog title={`New key for ${project.name}`} onClose={() => setOpen(false)} wide testId="create-key">
          <form onSubmit={submit} noValidate>
            <KeyFields
              state={state}
              update={(change) => setState((s) => ({ ...s, ...change }))}
              errors={errors}
              mode="create"
              project={project}
            />
            {Object.keys(errors).length ? (
              <p className="field-error" role="alert">
                Some fields need a change: see the messages above.
              </p>
            ) : null}
            <ErrorNote error={error} action="Creating the key" />
            <div className="dialog-actions">
              <button type="button" className="button" onClick={() => setOpen(false)}>
                Cancel
              </button>
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? "Creating…" : "Create key"}
              </button>
            </div>
          </form>
        </Dialog>
      ) : null}
      {issued ? (
        <ShowOnceDialog
          title="Your new key"
          label={`${issued.type} key, ${issued.environment}${issued.ownerId ? `, for ${issued.ownerId}` : ""}`}
          secret={issued.key}
          onDone={() => setIssued(null)}
        >
          <p className="muted">
            From now on it shows as <code>{maskedKey(issued)}</code>.{" "}
            <Link to={`/keys/${issued.id}`} onClick={() => setIssued(null)}>
              Open its page
            </Link>
          </p>
        </ShowOnceDialog>
      ) : null}
    </>
  );
}
