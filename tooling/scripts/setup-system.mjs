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
 * it); without it that test skips and says so.
 */
const wanted = [
  { name: 'ffmpeg', file: '/usr/bin/ffmpeg' },
  { name: 'chromium', file: '/usr/bin/chromium' },
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
