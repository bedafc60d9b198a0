import type { Project } from "@keysmith/sdk";
import type { ReactNode } from "react";
import { Link } from "../router";
import { useSession } from "../session";
import { useTitle } from "../use-title";
import { Empty } from "./bits";

type Tab = "keys" | "usage";

/**
 * One project's page: its title and head with the tab `current`, then `children` for the
 * project; a note, not an error, when this root key does not see the project.
 */
export function ProjectPage({
  projectId,
  current,
  children,
}: {
  projectId: string;
  current: Tab;
  children: (project: Project) => ReactNode;
}) {
  const { projects } = useSession();
  const project = projects.find((p) => p.id === projectId);
  useTitle(project ? `${project.name}: ${current}` : TITLES[current]);
  if (!project) {
    return (
      <Empty>
        No project <code>{projectId}</code> is visible to this root key.{" "}
        <Link to="/projects">All projects</Link>
      </Empty>
    );
  }
  return (
    <>
      <ProjectHead project={project} current={current} />
      {children(project)}
    </>
  );
}

const TITLES: Record<Tab, string> = { keys: "Keys", usage: "Usage" };

export function ProjectHead({ project, current }: { project: Project; current: Tab }) {
  return (
    <div className="page-head">
      <div>
        <p className="crumbs">
          <Link to="/projects">Projects</Link> /
        </p>
        <h1>
          {project.name} <span className="muted mono small">{project.prefix}</span>
        </h1>
      </div>
      <nav aria-label="Project" className="tabs">
        <Link to={`/projects/${project.id}`} aria-current={current === "keys" ? "page" : undefined}>
          Keys
        </Link>
        <Link to={`/projects/${project.id}/usage`} aria-current={current === "usage" ? "page" : undefined}>
          Usage and budget
        </Link>
      </nav>
    </div>
  );
}
