/** A Sluice error as tests see it. */
export interface CodedError extends Error {
  code: string;
  details?: Record<string, unknown>;
}
/** Asserts that `promise` rejects with a SluiceError of `code`, and returns it. */
export declare function expectCode(promise: Promise<unknown>, code: string): Promise<CodedError>;
/** Asserts that `fn` throws a SluiceError of `code`, and returns it. */
export declare function expectThrowCode(fn: () => unknown, code: string): CodedError;
/** Deterministic PRNG for randomised tests. */
export declare function seededRandom(seed: number): () => number;
/** Random integer in [min, max]. */
export declare function randomInt(random: () => number, min: number, max: number): number;
