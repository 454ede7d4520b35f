// One `sluice worker` as a benchmark starts it: the built package in a process of its own.
// Usage: node worker-process.mjs REDIS_URL KINDS
import { BatchWorker } from '../dist/index.js';

const [redis, kinds = 'separate,transcode'] = process.argv.slice(2);
const worker = new BatchWorker({ redis, kinds: kinds.split(','), lockMs: 5000 });
worker.on('error', () => undefined);
await worker.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => void worker.drain().then(() => process.exit(0)));
