import type { BatchJob } from '../jobs/kinds';
import { type Manifest, manifestOf } from '../jobs/outputs';
import type { Storage } from '../storage/storage-router';

/** The manifest of a finished run of this very job, when one is in place with all its outputs. */
export async function findFinished(job: BatchJob, jobId: string, storage: Storage): Promise<Manifest | undefined> {
  const url = manifestOf(job);
  const text = await storage.for(url).readText(url);
  if (text === undefined) return undefined;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    return undefined; // unreadable: run again, the new manifest replaces it
  }
  if (manifest.jobId !== jobId) return undefined;
  for (const output of manifest.outputs) if (!(await storage.for(output).exists(output))) return undefined;
  return manifest;
}
