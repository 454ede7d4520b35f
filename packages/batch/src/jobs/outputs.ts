import { type Container, containerFromPath } from '@sluice/writers';
import { SluiceError } from '@sluice/core';
import { baseNameOf, joinStorageUrl, parentOf } from '../storage/storage-url';
import type { BatchJob } from './kinds';

/** The folder a job's outputs land in (its staging area sits there too, on the same file system). */
export function destinationOf(job: BatchJob): string {
  return job.kind === 'separate' ? job.out : parentOf(job.out);
}

/**
 * The manifest a finished job leaves beside its outputs, written last: its
 * presence (with the job's id inside) is what "done" means, even when Redis
 * has forgotten the job.
 */
export function manifestOf(job: BatchJob): string {
  if (job.kind === 'separate') return joinStorageUrl(job.out, '.sluice-done.json');
  return joinStorageUrl(parentOf(job.out), `.${baseNameOf(job.out)}.sluice-done.json`);
}

/** The container a job's audio output is written in: the one it names, or its file's extension. */
export function containerOf(job: { readonly out: string; readonly container?: Container }, fallback?: Container): Container {
  const container = job.container ?? containerFromPath(job.out) ?? fallback;
  if (container === undefined)
    throw new SluiceError('E_INVALID_ARGUMENT', `cannot tell the container of ${job.out} from its extension: give container`);
  return container;
}

/** `song.mp3` → `song` (the base of a speech job's words and captions files). */
export function stemOfName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** What a manifest holds. */
export interface Manifest {
  readonly jobId: string;
  readonly outputs: readonly string[];
  readonly audioSeconds: number;
  readonly processingSeconds: number;
  readonly finishedAt: string;
}
