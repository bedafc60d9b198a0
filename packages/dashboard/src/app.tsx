import type { Session as SessionInfo } from "@keysmith/sdk";
import { type ReactElement, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Api } from "./api";
import { ErrorNote, Loading } from "./components/bits";
import { Logo } from "./components/logo";
import { maskedKey } from "./format";
import { AlertsPage } from "./pages/alerts";
import { AuditPage } from "./pages/audit";
import { IdentitiesPage, IdentityDetailPage } from "./pages/identities";
import { KeyDetailPage } from "./pages/key-detail";
import { ProjectKeysPage } from "./pages/project-keys";
import { ProjectUsagePage } from "./pages/project-usage";
import { ProjectsPage } from "./pages/projects";
import { RolesPage } from "./pages/roles";
import { SignInPage } from "./pages/sign-in";
import { VaultPage } from "./pages/vault";
import { WebhookDetailPage } from "./pages/webhook-detail";
import { WebhooksPage } from "./pages/webhooks";
import { Link, matchPath, navigate, useLocation } from "./router";
import { Session, type SessionContext } from "./session";
import { useData } from "./use-data";

type State =
  | { status: "loading" }
  | { status: "signed-out"; notice: string | null }
  | { status: "signed-in"; session: SessionInfo };

/** The dashboard: asks the server for the current session, then shows sign-in or the pages. */
export function App() {
  const [state, setState] = useState<State>({ status: "loading" });
  const status = useRef(state.status);
  status.current = state.status;
  const api = useMemo(
    () =>
      new Api(() => {
        // A 401 while signed in: the session expired, was signed out elsewhere, or its root key was revoked.
        if (status.current === "signed-in")
          setState({ status: "signed-out", notice: "Your session ended. Sign in again." });
      }),
    [],
  );

  useEffect(() => {
    api.session().then(
      (session) => setState({ status: "signed-in", session }),
      () => setState({ status: "signed-out", notice: null }),
    );
  }, [api]);

  if (state.status === "loading") {
    return (
      <main id="main" className="center">
        <Loading what="Opening keysmith" />
      </main>
    );
  }
  if (state.status === "signed-out") {
    return (
      <SignInPage
        api={api}
        notice={state.notice}
        onSignedIn={(session) => setState({ status: "signed-in", session })}
      />
    );
  }
  return (
    <SignedIn
      api={api}
      session={state.session}
      onSignedOut={() => {
        setState({ status: "signed-out", notice: "You are signed out." });
        navigate("/", { replace: true });
      }}
    />
  );
}

const NAV = [
  { to: "/projects", label: "Projects", match: ["/projects", "/keys"] },
  { to: "/identities", label: "Identities", match: ["/identities"] },
  { to: "/roles", label: "Roles", match: ["/roles"] },
  { to: "/alerts", label: "Alerts", match: ["/alerts"] },
  { to: "/webhooks", label: "Webhooks", match: ["/webhooks"] },
  { to: "/audit", label: "Audit log", match: ["/audit"] },
  { to: "/vault", label: "Vault", match: ["/vault"] },
];

function SignedIn({
  api,
  session,
  onSignedOut,
}: {
  api: Api;
  session: SessionInfo;
  onSignedOut: () => void;
}) {
  const { path } = useLocation();
  const projects = useData("projects", () => api.projects());
  const [signOutError, setSignOutError] = useState<Error>();
  const signOut = useCallback(() => {
    api.signOut().then(onSignedOut, setSignOutError);
  }, [api, onSignedOut]);
  const context: SessionContext = {
    api,
    session,
    projects: projects.data?.data ?? [],
    reloadProjects: projects.reload,
    signOut,
  };
  const root = session.rootKey;

  return (
    <Session.Provider value={context}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/projects" className="brand">
          <Logo />
          keysmith
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => {
              const active = item.match.some((m) => path === m || path.startsWith(`${m}/`));
              return (
                <li key={item.to}>
                  <Link to={item.to} aria-current={active ? "page" : undefined}>
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="who">
          <span className="who-key" title={`Root key ${root.id}; scopes: ${root.scopes.join(", ")}`}>
            {root.name ?? "Root key"} <code>{maskedKey(root)}</code>
          </span>
          <button type="button" className="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="page">
        <ErrorNote error={signOutError} action="Sign-out" />
        <ErrorNote error={projects.error} action="Loading projects" />
        {projects.data ? <Page path={path} /> : projects.error ? null : <Loading />}
      </main>
    </Session.Provider>
  );
}

/** Client routes: a pattern and the page it shows. */
const ROUTES: [string, (params: Record<string, string>) => ReactElement][] = [
  ["/", () => <ProjectsPage />],
  ["/projects", () => <ProjectsPage />],
  ["/projects/:id", (p) => <ProjectKeysPage projectId={p.id as string} />],
  ["/projects/:id/usage", (p) => <ProjectUsagePage projectId={p.id as string} />],
  ["/keys/:id", (p) => <KeyDetailPage keyId={p.id as string} />],
  ["/identities", () => <IdentitiesPage />],
  ["/identities/:id", (p) => <IdentityDetailPage identityId={p.id as string} />],
  ["/roles", () => <RolesPage />],
  ["/alerts", () => <AlertsPage />],
  ["/webhooks", () => <WebhooksPage />],
  ["/webhooks/:id", (p) => <WebhookDetailPage webhookId={p.id as string} />],
  ["/audit", () => <AuditPage />],
  ["/vault", () => <VaultPage />],
];

function Page({ path }: { path: string }) {
  useEffect(() => {
    if (path === "/") navigate("/projects", { replace: true });
  }, [path]);
  for (const [pattern, render] of ROUTES) {
    const params = matchPath(pattern, path);
    if (params) return render(params);
  }
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at <code>{path}</code>. <Link to="/projects">Go to your projects</Link>.
      </p>
    </section>
  );
}
