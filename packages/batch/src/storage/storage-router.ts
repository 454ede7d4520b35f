import { FileStore } from './file-store';
import { S3Store, type S3StoreOptions, loadS3Sdk } from './s3-store';
import type { FetchedInput, StagingArea, Store } from './storage';
import { parseStorageUrl } from './storage-url';

/** How workers and submitters reach storage. */
export interface StorageOptions {
  /** The S3-compatible store behind `s3://` URLs. */
  readonly s3?: S3StoreOptions;
}

/**
 * The S3 store, made on first use: the AWS SDK (an optional peer dependency)
 * takes ~140 ms to import, which every job thread of a `file://`-only farm
 * would otherwise pay.
 */
class LazyS3Store implements Store {
  #store: Promise<Store> | undefined;
  #loaded: Store | undefined;

  constructor(private readonly options: S3StoreOptions | undefined) {}

  #get(): Promise<Store> {
    this.#store ??= loadS3Sdk().then((sdk) => {
      this.#loaded = new S3Store(sdk, this.options);
      return this.#loaded;
    });
    return this.#store;
  }

  async fetch(url: string, signal?: AbortSignal): Promise<FetchedInput> {
    return (await this.#get()).fetch(url, signal);
  }
  async stage(destinationFolder: string, token: string): Promise<StagingArea> {
    return (await this.#get()).stage(destinationFolder, token);
  }
  async sweep(destinationFolder: string, jobId: string): Promise<number> {
    return (await this.#get()).sweep(destinationFolder, jobId);
  }
  async exists(url: string): Promise<boolean> {
    return (await this.#get()).exists(url);
  }
  async readText(url: string): Promise<string | undefined> {
    return (await this.#get()).readText(url);
  }
  async fingerprint(url: string): Promise<string> {
    return (await this.#get()).fingerprint(url);
  }
  async list(url: string): Promise<string[]> {
    return (await this.#get()).list(url);
  }
  close(): void {
    this.#loaded?.close();
  }
}

/** The store for each URL scheme. */
export class Storage {
  readonly #files = new FileStore();
  readonly #s3: LazyS3Store;

  constructor(options: StorageOptions = {}) {
    this.#s3 = new LazyS3Store(options.s3);
  }

  /** The store that holds `url`. */
  for(url: string): Store {
    return parseStorageUrl(url).scheme === 'file' ? this.#files : this.#s3;
  }

  /** Releases the S3 client's connections. */
  close(): void {
    this.#s3.close();
  }
}
