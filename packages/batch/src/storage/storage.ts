/** A local copy of an input: `path` to read; `release()` removes it when it was downloaded. */
export interface FetchedInput {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * A local folder a job writes its outputs into, by file name. Nothing is
 * visible under the final URLs until `commit()`: files on shared storage are
 * renamed into place (the folder sits beside the destination, on the same
 * file system); objects are uploaded whole (an S3 PUT appears only complete).
 */
export interface StagingArea {
  /** The folder to write into. */
  readonly path: string;
  /** Moves `name` (a file in {@link path}) to `url`. */
  commit(name: string, url: string): Promise<void>;
  /** Removes the folder and whatever is left in it. */
  discard(): Promise<void>;
}

/** One kind of store (`file://` or `s3://`), as jobs and the submitter use it. */
export interface Store {
  /** A local path to read `url` from. */
  fetch(url: string, signal?: AbortSignal): Promise<FetchedInput>;
  /** A staging area for outputs that end up under `destinationFolder`; `token` names it (job id + attempt). */
  stage(destinationFolder: string, token: string): Promise<StagingArea>;
  /** Removes staging areas a crashed run of job `jobId` left under `destinationFolder`. */
  sweep(destinationFolder: string, jobId: string): Promise<number>;
  /** True when something is stored at `url`. */
  exists(url: string): Promise<boolean>;
  /** The object's text, or undefined when there is none. */
  readText(url: string): Promise<string | undefined>;
  /** Identifies the content at `url`: a SHA-256 of a file, an object's ETag and size. */
  fingerprint(url: string): Promise<string>;
  /** Every file (object) under the folder (prefix) `url`, as URLs, sorted. */
  list(url: string): Promise<string[]>;
  /** Releases connections. */
  close(): void;
}

/** The name of a staging area: hidden, and recognisable by its job id so a later run can sweep it. */
export function stagingName(token: string): string {
  return `.sluice-${token}.part`;
}
