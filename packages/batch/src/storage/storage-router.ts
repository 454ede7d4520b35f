import { FileStore } from './file-store';
import { S3Store, type S3StoreOptions } from './s3-store';
import type { Store } from './storage';
import { parseStorageUrl } from './storage-url';

/** How workers and submitters reach storage. */
export interface StorageOptions {
  /** The S3-compatible store behind `s3://` URLs. */
  readonly s3?: S3StoreOptions;
}

/** The store for each URL scheme; the S3 client is made on first use, so `file://`-only batches never load it. */
export class Storage {
  readonly #files = new FileStore();
  readonly #options: StorageOptions;
  #s3: S3Store | undefined;

  constructor(options: StorageOptions = {}) {
    this.#options = options;
  }

  /** The store that holds `url`. */
  for(url: string): Store {
    if (parseStorageUrl(url).scheme === 'file') return this.#files;
    this.#s3 ??= new S3Store(this.#options.s3);
    return this.#s3;
  }

  /** Releases the S3 client's connections. */
  close(): void {
    this.#s3?.close();
  }
}
