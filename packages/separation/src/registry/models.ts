import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '@sluice/core';
import { BagOfModels } from '../bag/bag-of-models';
import type { SeparationModel } from '../model/types';
import { OnnxHTDemucs } from '../onnx/onnx-htdemucs';
import type { OnnxSessionOptions } from '../onnx/onnx-model';
import { OnnxMdxNet } from '../onnx/onnx-mdx-net';
import { modelsDirectory } from './cache-dir';
import { MODEL_CATALOG, type ModelFile, type RegistryModel } from './catalog';
import { type DownloadProgress, downloadFile } from './download';

/** Where to look: the catalog, the cache directory, a mirror. All default to the real ones. */
export interface RegistryOptions {
  /** Models known by name (default {@link MODEL_CATALOG}). */
  catalog?: readonly RegistryModel[];
  /** The cache (default {@link modelsDirectory}). */
  directory?: string;
  /** A mirror holding the files by name (default `$SLUICE_MODELS_URL`); replaces the publishers' URLs. */
  baseUrl?: string;
}

/** A registry model and where it stands in the cache. */
export interface ModelStatus extends RegistryModel {
  /** Path of each file in the cache. */
  paths: string[];
  /** True when every file is in the cache. */
  installed: boolean;
}

function catalogOf(options: RegistryOptions): readonly RegistryModel[] {
  return options.catalog ?? MODEL_CATALOG;
}

function directoryOf(options: RegistryOptions): string {
  return options.directory ?? modelsDirectory();
}

/** The registry entry called `name` (exactly), or `E_MODEL` listing the names there are. */
export function findModel(name: string, options: RegistryOptions = {}): RegistryModel {
  const catalog = catalogOf(options);
  const model = catalog.find((entry) => entry.name === name);
  if (model === undefined) {
    throw new SluiceError(
      'E_MODEL',
      `no model "${name}" in the registry; known: ${catalog.map((entry) => entry.name).join(', ')} (or give a .onnx file)`,
    );
  }
  return model;
}

/** Every registry model, with whether it is in the cache. */
export function listModels(options: RegistryOptions = {}): ModelStatus[] {
  return catalogOf(options).map((model) => status(model, options));
}

function status(model: RegistryModel, options: RegistryOptions): ModelStatus {
  const paths = model.files.map((file) => join(directoryOf(options), file.name));
  return { ...model, paths, installed: paths.every((path) => existsSync(path)) };
}

/** The cache paths of a model's files (whether or not they are there yet). */
export function modelPaths(name: string, options: RegistryOptions = {}): string[] {
  return status(findModel(name, options), options).paths;
}

/** Options for {@link pullModel}. */
export interface PullOptions extends RegistryOptions {
  onProgress?: (file: string, progress: DownloadProgress) => void;
  /** Things worth saying (a hash recorded on first download). */
  onNote?: (note: string) => void;
  signal?: AbortSignal;
  /** See DownloadOptions.stallMs. */
  stallMs?: number;
}

/** Pulls in progress in this process, by file path: two pulls of one model share one download. */
const inFlight = new Map<string, Promise<void>>();

/**
 * Downloads a registry model into the cache (resumable, verified, atomic;
 * a file already there is kept). Files without a published SHA-256 get the
 * one computed at first download recorded beside them (`NAME.sha256`), and
 * later pulls check against it. Resolves with the file paths.
 */
export async function pullModel(name: string, options: PullOptions = {}): Promise<string[]> {
  const model = findModel(name, options);
  const directory = directoryOf(options);
  const baseUrl = options.baseUrl ?? process.env.SLUICE_MODELS_URL;
  const paths: string[] = [];
  for (const file of model.files) {
    const path = join(directory, file.name);
    paths.push(path);
    if (existsSync(path)) continue;
    let pending = inFlight.get(path);
    if (pending === undefined) {
      pending = pullFile(file, path, baseUrl, options).finally(() => inFlight.delete(path));
      inFlight.set(path, pending);
    }
    await pending;
  }
  return paths;
}

async function pullFile(file: ModelFile, path: string, baseUrl: string | undefined, options: PullOptions): Promise<void> {
  const urls = baseUrl ? [`${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(file.name)}`] : file.urls;
  const recorded = await readFile(`${path}.sha256`, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  const expected = { sha256: file.sha256 ?? recorded, uvrHash: file.uvrHash, bytes: file.bytes };
  let failure: unknown;
  for (const url of urls) {
    try {
      const { sha256 } = await downloadFile(url, path, {
        expected,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.stallMs === undefined ? {} : { stallMs: options.stallMs }),
        ...(options.onProgress ? { onProgress: (progress: DownloadProgress) => options.onProgress?.(file.name, progress) } : {}),
      });
      if (expected.sha256 === undefined) {
        await writeFile(`${path}.sha256`, `${sha256}\n`);
        options.onNote?.(
          `${file.name}: no SHA-256 is published for this file; recorded ${sha256} on this first download (later pulls are checked against it)`,
        );
      }
      return;
    } catch (error) {
      failure = error;
      if (SluiceError.hasCode(error, 'E_ABORTED')) throw error;
    }
  }
  throw failure;
}

/** Removes a model's files (and recorded hashes, and partial downloads) from the cache. */
export async function removeModel(name: string, options: RegistryOptions = {}): Promise<string[]> {
  const paths = modelPaths(name, options);
  for (const path of paths) for (const suffix of ['', '.part', '.sha256']) await rm(`${path}${suffix}`, { force: true });
  return paths;
}

/** Options for {@link loadModel}. */
export interface LoadModelOptions extends PullOptions {
  /** Download a registry model that is not in the cache yet (default false: `E_MODEL` saying how). */
  pull?: boolean;
  /** onnxruntime session options for every member. */
  session?: OnnxSessionOptions;
}

/**
 * A separator from a registry name or a local file: `loadModel('Kim_Vocal_2')`,
 * `loadModel('htdemucs', { pull: true })`, `loadModel('./my.onnx')` (an
 * HTDemucs export, contract found from its shapes). A name not yet in the
 * cache is pulled only when asked.
 */
export async function loadModel(nameOrPath: string, options: LoadModelOptions = {}): Promise<SeparationModel> {
  const session = options.session ?? {};
  const known = catalogOf(options).some((entry) => entry.name === nameOrPath);
  if (!known) {
    if (existsSync(nameOrPath)) return OnnxHTDemucs.load(nameOrPath, { session });
    findModel(nameOrPath, options); // throws, naming what is known
  }
  const model = findModel(nameOrPath, options);
  const state = status(model, options);
  if (!state.installed) {
    if (!options.pull) {
      throw new SluiceError(
        'E_MODEL',
        `model "${model.name}" is not downloaded yet: run \`sluice models pull ${model.name}\` (or pass --pull)`,
      );
    }
    await pullModel(model.name, options);
  }
  const { layout } = model;
  const [first] = state.paths as [string];
  if (layout.kind === 'htdemucs') {
    return OnnxHTDemucs.load(first, { session, contract: layout.contract, ...(layout.stems ? { stems: layout.stems } : {}) });
  }
  if (layout.kind === 'mdx') {
    const { kind: _kind, ...mdx } = layout;
    return OnnxMdxNet.load(first, { session, ...mdx });
  }
  return BagOfModels.load(state.paths, { weights: layout.weights, name: model.name, member: { session, contract: layout.contract } });
}
