import type { Session as SessionInfo } from "@keysmith/sdk";
import { type FormEvent, useRef, useState } from "react";
import type { Api } from "../api";
import { ErrorNote } from "../components/bits";
import { Logo } from "../components/logo";

/**
 * Sign-in with a root key. The key goes to the server once, in a POST body, and comes back as
 * an HttpOnly session cookie; the field is emptied at once and nothing is written to storage.
 */
export function SignInPage({
  api,
  notice,
  onSignedIn,
}: {
  api: Api;
  notice: string | null;
  onSignedIn: (session: SessionInfo) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Read straight from the field: the key never lives in React state.
    const field = input.current;
    const rootKey = field?.value.trim() ?? "";
    if (field) field.value = "";
    if (!rootKey) return;
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await api.signIn(rootKey));
    } catch (caught) {
      setError(caught as Error);
      setBusy(false);
      field?.focus();
    }
  };

  return (
    <main className="sign-in" id="main">
      <form className="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">
          <Logo />
          keysmith
        </h1>
        <p>Sign in with a root key. It is exchanged for a session and not kept by this browser.</p>
        {notice ? (
          <p className="note" role="status">
            {notice}
          </p>
        ) : null}
        <label htmlFor="root-key">Root key</label>
        <input
          ref={input}
          id="root-key"
          name="root-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="ks_root_live_…"
          required
          // biome-ignore lint/a11y/noAutofocus: the page's only task is this field
          autoFocus
        />
        <p className="hint">
          The first <code>npm start</code> printed one. Create more with{" "}
          <code>keysmith root-keys create</code> or <code>POST /v1/root-keys</code>.
        </p>
        <ErrorNote error={error} action="Sign-in" />
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
