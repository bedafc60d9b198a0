import { CopyButton } from "./bits";
import { Dialog } from "./dialog";

/**
 * Shows a secret the server returns once (a new key, a rolled key, a webhook signing secret).
 * The value lives only in this dialog's props: closing it drops the last copy the page holds.
 */
export function ShowOnceDialog({
  title,
  label,
  secret,
  children,
  onDone,
}: {
  title: string;
  label: string;
  secret: string;
  children?: React.ReactNode;
  onDone: () => void;
}) {
  return (
    <Dialog title={title} onClose={onDone} testId="show-once">
      <p className="note note-warning">
        <strong>You will not see this again.</strong> keysmith keeps only a hash: copy it now and store it
        somewhere safe.
      </p>
      <label className="field-label" htmlFor="show-once-value">
        {label}
      </label>
      <div className="secret-row">
        <input
          id="show-once-value"
          className="secret-value"
          readOnly
          value={secret}
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
          data-testid="show-once-value"
        />
        <CopyButton text={secret} />
      </div>
      {children}
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </Dialog>
  );
}
