#!/usr/bin/env node
import { main } from './main';

// Ctrl-C aborts the running command cleanly (sinks closed, children killed) instead of killing the process mid-write.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

let settled = false;
// A command whose work ended while one of its awaits never settled would let Node exit with 0 and say nothing
// (seen once: Ctrl-C at one moment of `sluice tts --keep-partial` under load). Never report success for that.
process.once('beforeExit', () => {
  if (settled) return;
  process.stderr.write(
    controller.signal.aborted
      ? 'sluice: interrupted before the command finished\n'
      : 'sluice: internal error: the command stopped without finishing; please report it\n',
  );
  process.exitCode = 1;
});

main(process.argv.slice(2), undefined, controller.signal).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error: unknown) => {
    settled = true;
    process.stderr.write(`sluice: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
