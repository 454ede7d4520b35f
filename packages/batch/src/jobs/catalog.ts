import { SluiceError } from '@sluice/core';
import { type Container, extensionOf } from '@sluice/writers';
import type { SampleFormat } from '@sluice/core';
import type { Storage } from '../storage/storage-router';
import { joinStorageUrl, parseStorageUrl } from '../storage/storage-url';
import type { BatchJob, CaptionKind, JobKind } from './kinds';
import { stemOfName } from './outputs';

const AUDIO = /\.(wav|wave|flac|mp3|ogg|oga|opus|m4a|mp4|aac|aif|aiff|wma|webm)$/i;

/** A catalog: where its files are, where the results go, and the parameters every job shares. */
export interface CatalogOptions {
  readonly kind: JobKind;
  /** A folder URL (listed recursively; hidden files skipped) or the input URLs themselves. */
  readonly inputs: string | readonly string[];
  /** The folder URL results go to, mirroring the inputs' layout under a listed folder. */
  readonly out: string;
  /** separate: `'dsp'`, a registry model name or a `.onnx` URL (default `'dsp'`). */
  readonly model?: string;
  readonly stems?: readonly string[];
  /** Container of audio outputs (transcode: required; separate: default wav; speak: default mp3). */
  readonly container?: Container;
  readonly sampleFormat?: SampleFormat;
  readonly segmentSeconds?: number;
  readonly bitrateKbps?: number;
  readonly sampleRate?: number;
  readonly channels?: number;
  readonly voice?: string;
  readonly rate?: number;
  readonly captions?: CaptionKind;
  /** metrics: the folder of references, one subfolder per track with a file per stem, as the estimates are laid out. */
  readonly references?: string;
  readonly bss?: boolean;
}

/** `a/b/song.flac` → `a/b/song`. */
function withoutExtension(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return relative.slice(0, slash + 1) + stemOfName(relative.slice(slash + 1));
}

function relativeTo(root: string, url: string): string {
  return decodeURIComponent(url.slice(root.replace(/\/?$/, '/').length));
}

/** Input URLs with the path each has under the catalog (its place in the listed folder, or its own name). */
async function listInputs(options: CatalogOptions, storage: Storage, keep: (url: string) => boolean): Promise<Array<[string, string]>> {
  if (typeof options.inputs === 'string') {
    const root = options.inputs;
    return (await storage.for(root).list(root)).filter(keep).map((url) => [url, relativeTo(root, url)]);
  }
  return options.inputs.map((url) => {
    parseStorageUrl(url);
    return [url, decodeURIComponent(url.split('/').pop() ?? url)];
  });
}

/** Stem name → URL for each file in each track folder (`<root>/<track>/<stem>.<ext>`). */
async function stemFolders(root: string, storage: Storage): Promise<Map<string, Record<string, string>>> {
  const tracks = new Map<string, Record<string, string>>();
  for (const url of (await storage.for(root).list(root)).filter((url) => AUDIO.test(url))) {
    const relative = relativeTo(root, url);
    const slash = relative.lastIndexOf('/');
    if (slash < 0) continue;
    const track = relative.slice(0, slash);
    const stems = tracks.get(track) ?? {};
    stems[stemOfName(relative.slice(slash + 1))] = url;
    tracks.set(track, stems);
  }
  return tracks;
}

function metricsJobs(
  options: CatalogOptions,
  estimates: Map<string, Record<string, string>>,
  references: Map<string, Record<string, string>>,
): BatchJob[] {
  const jobs: BatchJob[] = [];
  for (const [track, reference] of references) {
    const estimate = estimates.get(track);
    if (estimate === undefined) continue;
    const shared = Object.keys(reference).filter((stem) => Object.hasOwn(estimate, stem));
    if (shared.length === 0) continue;
    jobs.push({
      kind: 'metrics',
      estimates: Object.fromEntries(shared.map((stem) => [stem, estimate[stem] as string])),
      references: Object.fromEntries(shared.map((stem) => [stem, reference[stem] as string])),
      out: joinStorageUrl(options.out, `${track}.json`),
      ...(options.bss === undefined ? {} : { bss: options.bss }),
    });
  }
  return jobs;
}

function jobFor(options: CatalogOptions, input: string, relative: string): BatchJob {
  const base = withoutExtension(relative);
  switch (options.kind) {
    case 'separate':
      return {
        kind: 'separate',
        input,
        out: joinStorageUrl(options.out, base),
        model: options.model ?? 'dsp',
        ...(options.stems === undefined ? {} : { stems: options.stems }),
        ...(options.container === undefined ? {} : { container: options.container }),
        ...(options.sampleFormat === undefined ? {} : { sampleFormat: options.sampleFormat }),
        ...(options.segmentSeconds === undefined ? {} : { segmentSeconds: options.segmentSeconds }),
      };
    case 'transcode': {
      if (options.container === undefined)
        throw new SluiceError('E_INVALID_ARGUMENT', 'a transcode catalog needs container (mp3, flac, …)');
      return {
        kind: 'transcode',
        input,
        out: joinStorageUrl(options.out, `${base}.${extensionOf(options.container)}`),
        container: options.container,
        ...(options.bitrateKbps === undefined ? {} : { bitrateKbps: options.bitrateKbps }),
        ...(options.sampleRate === undefined ? {} : { sampleRate: options.sampleRate }),
        ...(options.channels === undefined ? {} : { channels: options.channels }),
        ...(options.sampleFormat === undefined ? {} : { sampleFormat: options.sampleFormat }),
      };
    }
    case 'speak': {
      const container = options.container ?? 'mp3';
      return {
        kind: 'speak',
        input,
        out: joinStorageUrl(options.out, `${base}.${extensionOf(container)}`),
        container,
        ...(options.voice === undefined ? {} : { voice: options.voice }),
        ...(options.rate === undefined ? {} : { rate: options.rate }),
        ...(options.sampleRate === undefined ? {} : { sampleRate: options.sampleRate }),
        ...(options.captions === undefined ? {} : { captions: options.captions }),
      };
    }
    case 'metrics':
      throw new SluiceError('E_INTERNAL', 'metrics catalogs are planned from folders');
  }
}

/**
 * The jobs for a whole catalog: one per audio file (separate, transcode), per
 * `.txt` file (speak) or per track folder present in both the estimates and
 * `references` (metrics). Refuses a plan in which an output would land on an
 * input or two jobs on one output.
 */
export async function planCatalog(options: CatalogOptions, storage: Storage): Promise<BatchJob[]> {
  let jobs: BatchJob[];
  if (options.kind === 'metrics') {
    if (options.references === undefined || typeof options.inputs !== 'string')
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        'a metrics catalog is a folder of estimates and a folder of references (track/stem.wav in each)',
      );
    jobs = metricsJobs(options, await stemFolders(options.inputs, storage), await stemFolders(options.references, storage));
  } else {
    const keep = options.kind === 'speak' ? (url: string) => /\.txt$/i.test(url) : (url: string) => AUDIO.test(url);
    jobs = (await listInputs(options, storage, keep)).map(([input, relative]) => jobFor(options, input, relative));
  }
  if (jobs.length === 0) throw new SluiceError('E_NOT_FOUND', `no ${options.kind === 'speak' ? '.txt' : 'audio'} files in the catalog`);
  const inputs = new Set(jobs.flatMap((job) => ('input' in job && job.input !== undefined ? [job.input] : [])));
  const outs = new Set<string>();
  for (const job of jobs) {
    if (inputs.has(job.out)) throw new SluiceError('E_INVALID_ARGUMENT', `${job.out} is an input: choose another output folder`);
    if (outs.has(job.out))
      throw new SluiceError('E_INVALID_ARGUMENT', `two inputs would both write ${job.out} (same name, another extension?)`);
    outs.add(job.out);
  }
  return jobs;
}
