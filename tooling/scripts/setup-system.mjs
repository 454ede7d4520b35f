#!/usr/bin/env node
// Installs the Debian packages some tests use, when this is Debian, we are root,
// and they are missing. Never fails the suite: tests that need a missing tool
// skip themselves and say why. Set SLUICE_SKIP_APT=1 to never touch apt.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian packages and the file that shows each is installed. ffmpeg: Debian's
 * 5.1 encodes MP3 about 4× faster than the 4.1 build bundled on npm; without
 * it, everything still works through @ffmpeg-installer/ffmpeg. chromium: the
 * demo server's web page is tested in a real browser (playwright-core drives
 * it); without it that test skips and says so. redis-server: the batch
 * queue's tests; without it they skip and say so.
 */
const wanted = [
  { name: 'ffmpeg', file: '/usr/bin/ffmpeg' },
  { name: 'chromium', file: '/usr/bin/chromium' },
  // redis-server: @sluice/batch's queue tests run BullMQ against a real Redis started on a free port.
  { name: 'redis-server', file: '/usr/bin/redis-server' },
  // libasound2: PortAudio (naudiodon) plays and records through ALSA; the device tests use ALSA file devices.
  { name: 'libasound2', file: '/usr/share/alsa/alsa.conf' },
  // Build tools for naudiodon's node-gyp build, in case the machine had none when pnpm installed.
  { name: 'g++', file: '/usr/bin/g++' },
  { name: 'make', file: '/usr/bin/make' },
];

function log(message) {
  process.stdout.write(`setup-system: ${message}\n`);
}

const missing = wanted.filter((p) => !existsSync(p.file));
if (missing.length === 0) {
  log('nothing to install');
} else if (process.env.SLUICE_SKIP_APT === '1') {
  log(`SLUICE_SKIP_APT=1: not installing ${missing.map((p) => p.name).join(', ')}; tests that need them will skip`);
} else if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
  log(`not root or not Debian: cannot install ${missing.map((p) => p.name).join(', ')}; tests that need them will skip`);
} else {
  const names = missing.map((p) => p.name);
  log(`installing ${names.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install =
    update.status === 0
      ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: 'inherit', env })
      : update;
  if (install.status !== 0) log(`apt-get failed (exit ${install.status}); tests that need ${names.join(', ')} will skip`);
}

// naudiodon is optional: if its native build did not happen at install time (no compiler then), try once now.
const binding = 'node_modules/.pnpm/naudiodon@2.3.6/node_modules/naudiodon/build/Release/naudiodon.node';
if (existsSync('node_modules/.pnpm/naudiodon@2.3.6') && !existsSync(binding) && existsSync('/usr/bin/g++')) {
  log('building naudiodon (PortAudio bindings) for the device tests');
  const rebuild = spawnSync(process.execPath, [process.env.npm_execpath ?? 'node_modules/pnpm/bin/pnpm.cjs', 'rebuild', 'naudiodon'], {
    stdio: 'inherit',
  });
  if (rebuild.status !== 0) log('naudiodon did not build; the device tests will skip and say why');
}
