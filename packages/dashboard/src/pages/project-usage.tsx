import { Empty } from "../components/bits";
import { UsagePanel } from "../components/usage-panel";
import { Link } from "../router";
import { useSession } from "../session";
import { useTitle } from "../use-title";
import { RecentAlerts } from "./key-detail";
import { ProjectHead } from "./project-keys";

/** A project's usage across its keys, its budget, and its latest alerts. */
export function ProjectUsagePage({ projectId }: { projectId: string }) {
  const { api, projects } = useSession();
  const project = projects.find((p) => p.id === projectId);
  useTitle(project ? `${project.name}: usage` : "Usage");
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
      <ProjectHead project={project} current="usage" />
      <UsagePanel
        subject={project.id}
        load={(query) => api.usage({ ...query, projectId: project.id })}
        budget={project.budget}
        budgetLabel="Project budget"
      />
      <RecentAlerts query={{ projectId: project.id }} />
    </>
  );
}
