import { ProjectPage } from "../components/project-page";
import { UsagePanel } from "../components/usage-panel";
import { useSession } from "../session";
import { RecentAlerts } from "./key-detail";

/** A project's usage across its keys, its budget, and its latest alerts. */
export function ProjectUsagePage({ projectId }: { projectId: string }) {
  const { api } = useSession();
  return (
    <ProjectPage projectId={projectId} current="usage">
      {(project) => (
        <>
          <UsagePanel
            subject={project.id}
            load={(query) => api.usage({ ...query, projectId: project.id })}
            budget={project.budget}
            budgetLabel="Project budget"
          />
          <RecentAlerts query={{ projectId: project.id }} />
        </>
      )}
    </ProjectPage>
  );
}
