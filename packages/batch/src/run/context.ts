/** What a kind's runner is handed: local copies of its inputs and a folder to write into. */
export interface RunContext {
  /** Input URL → local path to read. */
  readonly inputs: ReadonlyMap<string, string>;
  /** The staging folder: outputs are written here by name and moved into place after. */
  readonly stagePath: string;
  /** Cancels the work (a cancelled batch, a draining worker). */
  readonly signal: AbortSignal;
  /** Worker threads one job may use for separation (the queue is where the parallelism comes from). */
  readonly threads: number;
  /** Fraction done, 0 to 1. */
  onProgress(fraction: number): void;
}

/** What a runner wrote: files in the staging folder and where each goes. */
export interface RunOutput {
  readonly files: ReadonlyArray<{ readonly name: string; readonly url: string }>;
  /** Seconds of audio processed. */
  readonly audioSeconds: number;
}

/** The local path of an input URL (present by construction: the runner fetched every input first). */
export function localPath(context: RunContext, url: string): string {
  const path = context.inputs.get(url);
  if (path === undefined) throw new Error(`internal: ${url} was not fetched`);
  return path;
}
