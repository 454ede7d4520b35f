/**
 * Every TypeScript block of every README (the root's, each package's and
 * app's, and docs/) is type-checked, strictly and all together, against the
 * built packages (their published `.d.ts`), then run as its own program on
 * the built packages, the way a reader who installed them would paste it into
 * a file (tsx only strips the types). So this needs `pnpm build` first, as
 * `test:all` does. A block runs in a fresh folder that holds `song.wav`
 * and `song.flac` (3 s of a stereo chord), so examples can name an input.
 * What a block needs beyond that is provided here: a redis-server for the
 * queue, the local Polly-compatible server for Polly, ALSA file devices for
 * the speaker and microphone; a block whose need this machine cannot meet
 * is skipped, saying why. (Examples read `REDIS_URL`, as `sluice worker` does.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { Pipeline, ToneSource } from '@sluice/core';
import { closeDevices, listDevices } from '@sluice/io-devices';
import { writeAlsaFileConfig } from '@sluice/io-devices/testing';
import { PollyServer } from '@sluice/test-servers/polly';
import { RedisServer, redisMissing } from '@sluice/test-servers/redis';
import { FileSink } from '@sluice/writers';
import { firstTsBlock } from '../../scripts/readme-example.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const generated = join(import.meta.dirname, '..', '.generated');
const require = createRequire(join(root, 'package.json'));

type Need = 'redis' | 'polly' | 'devices';

interface Example {
  /** `packages/core/README.md #2`. */
  name: string;
  /** The fence's language: every block must be TypeScript, so that it is checked as well as run. */
  language: string;
  code: string;
  /** The generated file, in `.generated/`. */
  file: string;
  needs: Need[];
  /** The block the cherry-pick runs from the packed package (see {@link cherryPickedBlock}). */
  cherryPicked: boolean;
}

/**
 * test:all runs the cherry-pick beside vitest and says so with this variable:
 * the blocks it runs, each in a project where the package was installed alone
 * from its tarball, are not run a second time here (they are still
 * type-checked here, all together).
 */
const cherryPickRunsFirstBlocks = process.env.SLUICE_CHERRY_PICK_RUNS_README === '1';

/** The block tooling/scripts/cherry-pick.mjs runs for a README (the first ```ts block of a published package's), or undefined. */
function cherryPickedBlock(readme: string, text: string): string | undefined {
  const manifest = join(readme, '..', 'package.json');
  if (!/^(packages|apps)\//.test(relative(root, readme)) || !existsSync(manifest)) return undefined;
  if ((JSON.parse(readFileSync(manifest, 'utf8')) as { private?: boolean }).private === true) return undefined;
  return firstTsBlock(text);
}

function readmes(): string[] {
  const found = [join(root, 'README.md')];
  for (const group of ['packages', 'apps', 'tooling']) {
    for (const name of readdirSync(join(root, group))) {
      const readme = join(root, group, name, 'README.md');
      if (existsSync(readme)) found.push(readme);
    }
  }
  for (const name of readdirSync(join(root, 'docs'))) if (name.endsWith('.md')) found.push(join(root, 'docs', name));
  return found;
}

function examples(): Example[] {
  const list: Example[] = [];
  for (const readme of readmes()) {
    const text = readFileSync(readme, 'utf8');
    const picked = cherryPickedBlock(readme, text);
    let index = 0;
    for (const match of text.matchAll(/^```(ts|typescript|js|javascript)\n([\s\S]*?)^```/gm)) {
      index += 1;
      const where = relative(root, readme);
      const code = match[2] as string;
      const needs: Need[] = [];
      if (/\bBatch(Worker|Client)\b/.test(code)) needs.push('redis');
      if (code.includes("'@sluice/tts-polly'")) needs.push('polly');
      if (code.includes("'@sluice/io-devices'")) needs.push('devices');
      list.push({
        name: `${where} #${index}`,
        language: match[1] as string,
        code,
        file: join(generated, `${where.replace(/[/.]/g, '_')}-${index}.mts`),
        needs,
        cherryPicked: code === picked,
      });
    }
  }
  return list;
}

const all = examples();
let typeErrors = '';
const missing = new Map<Need, string>();
let redis: RedisServer | undefined;
const polly = new PollyServer({ msPerChar: 1 });
let alsaHome = '';

beforeAll(async () => {
  const unbuilt = [
    'core',
    'writers',
    'ringbuffer',
    'metrics',
    'separation',
    'tts',
    'tts-espeak',
    'tts-polly',
    'io-devices',
    'wasm',
    'batch',
  ]
    .map((name) => join(root, 'packages', name, 'dist', 'index.js'))
    .concat(join(root, 'apps', 'server', 'dist', 'index.js'))
    .filter((file) => !existsSync(file));
  if (unbuilt.length > 0) throw new Error(`${unbuilt.join(', ')} missing: build first (pnpm build; test:all builds before testing)`);
  rmSync(generated, { recursive: true, force: true });
  mkdirSync(join(generated, 'fixtures'), { recursive: true });
  for (const example of all) writeFileSync(example.file, example.code);
  writeFileSync(
    join(generated, 'tsconfig.json'),
    // No `@sluice/source` condition: the packages resolve to what they publish.
    JSON.stringify({ extends: '../../../tsconfig.base.json', compilerOptions: { noEmit: true, customConditions: [] }, include: ['*.mts'] }),
  );
  const checked = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', generated], { encoding: 'utf8' });
  typeErrors = checked.status === 0 ? '' : `${checked.stdout}${checked.stderr}`;

  for (const name of ['song.wav', 'song.flac']) {
    const chord = new ToneSource({ frequency: 220, seconds: 3, sampleRate: 44100, channels: 2 });
    await new Pipeline({ source: chord, sink: new FileSink(join(generated, 'fixtures', name)) }).wait();
  }
  if (redisMissing) missing.set('redis', redisMissing);
  else redis = await RedisServer.start();
  await polly.start();
  alsaHome = writeAlsaFileConfig(join(generated, 'alsa')).home;
  const home = process.env.HOME;
  process.env.HOME = alsaHome;
  await listDevices().catch((error: unknown) => missing.set('devices', (error as Error).message));
  process.env.HOME = home;
  for (const [need, why] of missing) console.warn(`README examples that need ${need} are skipped: ${why}`);
}, 180_000);

afterAll(async () => {
  await closeDevices();
  await redis?.close();
  await polly.stop();
  rmSync(generated, { recursive: true, force: true });
});

function run(example: Example, folder: string): Promise<{ status: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (example.needs.includes('polly')) {
    Object.assign(env, polly.clientEnvironment());
  }
  if (example.needs.includes('devices')) env.HOME = alsaHome;
  if (redis !== undefined) env.REDIS_URL = redis.url;
  return new Promise((resolve) => {
    // tsx strips the types; the packages load from their builds, as in a reader's project.
    const child = spawn(process.execPath, ['--import', 'tsx', example.file], { cwd: folder, env });
    let output = '';
    child.stdout.on('data', (data) => (output += data));
    child.stderr.on('data', (data) => (output += data));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

describe('README examples', () => {
  it('there are examples, and each is a TypeScript block (no fragments in other languages)', () => {
    expect(all.length).toBeGreaterThan(15);
    expect(all.filter((example) => example.language !== 'ts' && example.language !== 'typescript').map((example) => example.name)).toEqual(
      [],
    );
  });

  it('the cherry-pick runs the first block of every published package', () => {
    const published = all.filter((example) => example.cherryPicked).map((example) => example.name);
    expect(published.length).toBeGreaterThanOrEqual(12);
    expect(published.every((name) => name.endsWith(' #1'))).toBe(true);
  });

  it('every block type-checks, strictly, against the packages as they are', () => {
    expect(typeErrors).toBe('');
  });

  it.for(all.map((example) => [example.name, example] as const))(
    '%s runs to the end',
    { timeout: 180_000 },
    async ([, example], context) => {
      const unmet = example.needs.find((need) => missing.has(need));
      if (unmet !== undefined) context.skip(`needs ${unmet}: ${missing.get(unmet)}`);
      if (cherryPickRunsFirstBlocks && example.cherryPicked)
        context.skip('run by the cherry-pick, from the packed package installed alone');
      const folder = join(generated, `run-${example.file.slice(generated.length + 1, -4)}`);
      mkdirSync(folder, { recursive: true });
      for (const name of ['song.wav', 'song.flac']) copyFileSync(join(generated, 'fixtures', name), join(folder, name));
      const { status, output } = await run(example, folder);
      expect(status, output.slice(-3000)).toBe(0);
    },
  );
});
