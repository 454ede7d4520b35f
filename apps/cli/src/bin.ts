#!/usr/bin/env node
import { main } from './main';

// Ctrl-C aborts the running command cleanly (sinks closed, children killed) instead of killing the process mid-write.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

main(process.argv.slice(2), undefined, controller.signal).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sluice: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
