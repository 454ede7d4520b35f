/**
 * Views into one Float32Array, cached by start offset. Ring buffers read the
 * same few windows over and over (fixed block sizes), so after warm-up
 * `TypedArray.set` runs on cached views and nothing is allocated. One view
 * is kept per start offset; a different length at the same offset replaces it.
 */
export class ViewCache {
  private readonly views: (Float32Array | undefined)[];

  constructor(private readonly storage: Float32Array) {
    this.views = new Array(storage.length + 1);
  }

  get(start: number, length: number): Float32Array {
    const cached = this.views[start];
    if (cached !== undefined && cached.length === length) return cached;
    const view = this.storage.subarray(start, start + length);
    this.views[start] = view;
    return view;
  }
}
