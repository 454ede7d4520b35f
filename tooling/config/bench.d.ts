/** Times a task several times after warm-up; median in ms. */
export declare function timeTask(
  task: () => unknown,
  options?: { runs?: number; warmup?: number },
): Promise<{ medianMs: number; samples: number[] }>;
/** Times several tasks in interleaved rounds; each one's median in ms. */
export declare function compare<T extends Record<string, () => unknown>>(
  tasks: T,
  options?: { rounds?: number; warmup?: number },
): Promise<Record<keyof T, number>>;
/** Median of values. */
export declare function median(values: number[]): number;
/** Nearest-rank percentile, p in [0, 100]. */
export declare function percentile(values: number[], p: number): number;
/** Rounds to 3 significant digits. */
export declare function round3(value: number): number;
/** Prints a titled block of figures. */
export declare function report(title: string, figures: Record<string, unknown>): void;
/** Prints the final JSON line. */
export declare function finish(figures: Record<string, unknown>): void;
/** Plain English prose of about `characters` characters, ending at a sentence (the speech benchmarks' input). */
export declare function proseOfLength(characters: number): string;
