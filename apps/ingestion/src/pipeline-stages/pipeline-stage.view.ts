import type { PipelineStageEntity } from './pipeline-stage.entity';

export interface PipelineStageView {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  /** 1 is the first stage of the workspace's pipeline. */
  position: number;
  /** Chance (0–100 %) that a lead in this stage converts. */
  winProbability: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toPipelineStageView(s: PipelineStageEntity): PipelineStageView {
  return {
    id: s.id,
    workspaceId: s.workspaceId,
    name: s.name,
    description: s.description,
    position: s.position,
    winProbability: s.winProbability,
    active: s.active,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
