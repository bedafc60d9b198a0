import type { Project, Session as SessionInfo } from "@keysmith/sdk";
import { createContext, useContext } from "react";
import type { Api } from "./api";

export interface SessionContext {
  api: Api;
  session: SessionInfo;
  /** Every project this root key sees, loaded once per sign-in. */
  projects: Project[];
  reloadProjects: () => void;
  signOut: () => void;
}

export const Session = createContext<SessionContext | null>(null);

/** The signed-in session; only pages rendered inside the signed-in layout call it. */
export function useSession(): SessionContext {
  const context = useContext(Session);
  if (!context) throw new Error("useSession outside a signed-in page");
  return context;
}

export function projectName(projects: readonly Project[], id: string | null): string {
  if (id === null) return "All projects";
  return projects.find((p) => p.id === id)?.name ?? id;
}
