import type { JobKind } from '../jobs/kinds';

/** The BullMQ key prefix Sluice's queues and its batch records live under (default `sluice`). */
export const DEFAULT_PREFIX = 'sluice';

/** The BullMQ queue of a job kind: one per kind, so a worker can serve some kinds only. */
export function queueNameOf(kind: JobKind): string {
  return `sluice-${kind}`;
}

/** The kind a job id names (ids are `<kind>-<hash>`). */
export function kindOfJobId(jobId: string): JobKind {
  return jobId.slice(0, jobId.indexOf('-')) as JobKind;
}

/** What a queued job carries: the job itself (BullMQ's `data`). */
export interface QueuedJob {
  readonly job: unknown;
}
