/**
 * The benchmark harness every `bench/*.bench.ts` uses: time a task several
 * times, interleaving candidates so that machine noise hits all of them
 * alike, and report the median. Benchmarks print human lines while they run
 * and one JSON object as their very last line.
 */

/**
 * Times `task` `runs` times (after `warmup` untimed runs) and returns the
 * median and all samples, in milliseconds.
 * @param {() => unknown | Promise<unknown>} task
 * @param {{ runs?: number, warmup?: number }} [options]
 */
export async function timeTask(task, options = {}) {
  const runs = options.runs ?? 5;
  for (let i = 0; i < (options.warmup ?? 1); i++) await task();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await task();
    samples.push(performance.now() - started);
  }
  return { medianMs: median(samples), samples };
}

/**
 * Times several tasks in rounds (a, b, c, a, b, c, …) and returns each one's
 * median in milliseconds, keyed like the input.
 * @template {Record<string, () => unknown | Promise<unknown>>} T
 * @param {T} tasks
 * @param {{ rounds?: number, warmup?: number }} [options]
 * @returns {Promise<Record<keyof T, number>>}
 */
export async function compare(tasks, options = {}) {
  const names = Object.keys(tasks);
  for (let i = 0; i < (options.warmup ?? 1); i++) for (const name of names) await tasks[name]();
  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < (options.rounds ?? 5); round++) {
    for (const name of names) {
      const started = performance.now();
      await tasks[name]();
      samples[name].push(performance.now() - started);
    }
  }
  return /** @type {Record<keyof T, number>} */ (Object.fromEntries(names.map((name) => [name, median(samples[name])])));
}

/** @param {number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** @param {number[]} values @param {number} p in [0, 100] */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** Rounds for display and JSON: 3 significant digits. @param {number} value */
export function round3(value) {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}

/**
 * Prints a titled block of `label: value` lines, then (when `last`) the JSON
 * object on its own final line, as `pnpm bench` expects.
 * @param {string} title
 * @param {Record<string, unknown>} figures
 */
export function report(title, figures) {
  process.stdout.write(`\n${title}\n`);
  for (const [key, value] of Object.entries(figures)) {
    process.stdout.write(`  ${key.padEnd(28)} ${typeof value === 'number' ? round3(value) : JSON.stringify(value)}\n`);
  }
}

/** Prints the final JSON line. @param {Record<string, unknown>} figures */
export function finish(figures) {
  const rounded = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, typeof v === 'number' ? round3(v) : v]));
  process.stdout.write(`${JSON.stringify(rounded)}\n`);
}

const SENTENCES = [
  'Streaming audio lets a listener hear the start of a long text while the rest is still being made.',
  'Each sentence is cut from the text, sent to the engine, and played as soon as its first samples arrive.',
  'The next sentence is already being synthesized while the current one plays, so the voice never waits.',
  'Word timings come with the audio, which is what captions and highlighting need.',
];

/**
 * Plain English prose of about `characters` characters, ending at a sentence:
 * the speech benchmarks' input (2,000 characters ≈ 110 s of speech).
 * @param {number} characters
 */
export function proseOfLength(characters) {
  let text = '';
  for (let i = 0; text.length < characters; i++) text += `${SENTENCES[i % SENTENCES.length]} `;
  return text.slice(0, text.lastIndexOf('.', characters) + 1);
}
