// The same separation run directly (runJob, no queue, no job thread) in a plain Node process, as the baseline
// for the queue's overhead. Usage: node direct-process.mjs INPUT_URL OUT_FOLDER_URL ROUNDS; prints one ms per line.
import { Storage, jobIdOf, runJob } from '../dist/index.js';

const [input, out, rounds = '4'] = process.argv.slice(2);
const storage = new Storage();
for (let round = 0; round < Number(rounds); round++) {
  const job = { kind: 'separate', input, out: `${out}/direct-${round}`, model: 'dsp' };
  const started = performance.now();
  await runJob(job, { jobId: await jobIdOf(job, storage) });
  process.stdout.write(`${performance.now() - started}\n`);
}
