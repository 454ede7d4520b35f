import { createHash } from 'node:crypto';
import type { Storage } from '../storage/storage-router';
import type { BatchJob } from './kinds';

/** Every URL a job reads (its identity is their content, not only their names). */
export function inputsOf(job: BatchJob): string[] {
  switch (job.kind) {
    case 'separate':
      return job.model.includes('://') ? [job.input, job.model] : [job.input];
    case 'transcode':
      return [job.input];
    case 'speak':
      return job.input === undefined ? [] : [job.input];
    case 'metrics':
      return [...Object.values(job.estimates), ...Object.values(job.references)];
  }
}

/** JSON with keys sorted at every level, so equal jobs hash equal however their fields were ordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The job's id: its kind and a hash of its parameters (outputs included) and
 * of the content of everything it reads. Submitting the same catalog again
 * gives the same ids, so BullMQ refuses the duplicates and the manifests beside
 * finished outputs say they are done; a changed input or option is a new job.
 */
export async function jobIdOf(job: BatchJob, storage: Storage): Promise<string> {
  const fingerprints: Record<string, string> = {};
  for (const url of inputsOf(job)) fingerprints[url] = await storage.for(url).fingerprint(url);
  const digest = createHash('sha256').update(canonical({ job, fingerprints })).digest('hex');
  return `${job.kind}-${digest.slice(0, 32)}`;
}
