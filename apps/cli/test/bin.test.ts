import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackSource, CollectSink, Pipeline } from '@sluice/core';
import { writeAlsaFileConfig } from '@sluice/io-devices/testing';
import { FileSink, FileSource, probe } from '@sluice/writers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BinRun, hashes, sluice } from './support/run-bin';

// Issue 17: every command run as users run it, the built binary as a child process. Each run must exit by itself,
// with the documented code (0 ok, 1 failure, 2 usage), say what was wrong on stderr, leave no process behind and
// change no input.
const directory = mkdtempSync(join(tmpdir(), 'sluice-bin-'));
const path = (...parts: string[]) => join(directory, ...parts);
const alsa = writeAlsaFileConfig(path('alsa'));
let inputs: string[] = [];

function tone(seconds: number, channels: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) =>
    Float32Array.from(
      { length: Math.round(seconds * 44100) },
      (_, i) => 0.3 * Math.sin((2 * Math.PI * (220 + 110 * c) * i) / 44100) + (i % 11025 < 300 ? 0.2 : 0),
    ),
  );
}

async function write(file: string, planes: Float32Array[]): Promise<void> {
  await new Pipeline({
    source: new CallbackSource([planes], { sampleRate: 44100, channels: planes.length }),
    sink: new FileSink(file),
  }).wait();
}

beforeAll(async () => {
  mkdirSync(path('sub'));
  await write(path('song.mp3'), tone(3, 2));
  await write(path('vocals.wav'), tone(2, 2));
  await write(path('short.wav'), tone(1.5, 2));
  const mp3 = readFileSync(path('song.mp3'));
  writeFileSync(path('truncated.mp3'), mp3.subarray(0, mp3.length >> 1));
  symlinkSync(path('song.mp3'), path('link.mp3'));
  linkSync(path('song.mp3'), path('hard.mp3'));
  writeFileSync(path('not-a-module.wasm'), 'not wasm');
  inputs = ['song.mp3', 'vocals.wav', 'short.wav', 'truncated.mp3'].map((name) => path(name));
});

/** Bits per sample in a WAV file's fmt chunk (found by name: a JUNK chunk may come first). */
function bitsPerSample(file: string): number {
  const bytes = readFileSync(file);
  const fmt = bytes.indexOf('fmt ');
  return bytes.readUInt16LE(fmt + 22);
}

/** Runs the binary in the scratch directory and checks the rules every run must keep. */
async function run(args: string[], expected: 0 | 1 | 2, options: Parameters<typeof sluice>[1] = {}): Promise<BinRun> {
  const before = hashes(inputs);
  const result = await sluice(args, { cwd: directory, ...options });
  expect(result.hung, `sluice ${args.join(' ')} did not exit by itself`).toBe(false);
  expect(result.leftovers, `sluice ${args.join(' ')} left processes behind`).toBe(false);
  expect(result.code, `sluice ${args.join(' ')}: ${result.stderr}`).toBe(expected);
  if (expected !== 0) expect(result.stderr.length).toBeGreaterThan(0);
  expect(hashes(inputs)).toEqual(before);
  // No temporary file is ever left in the working directory.
  expect(readdirSync(directory).filter((name) => name.endsWith('.part'))).toEqual([]);
  return result;
}

describe('the binary: basics and usage errors (exit 2)', () => {
  it('--version, --help and command help exit 0', async () => {
    expect((await run(['--version'], 0)).stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect((await run(['--help'], 0)).stdout).toMatch(/transcode/);
    expect((await run(['transcode', '--help'], 0)).stdout).toMatch(/--sample-format/);
  });

  it('an unknown command or flag, and bad values quoted as typed', async () => {
    expect((await run(['nope'], 2)).stderr).toMatch(/unknown command "nope"/);
    expect((await run(['demo', '--bogus'], 2)).stderr).toMatch(/bogus/);
    expect((await run(['demo', '--seconds', 'abc'], 2)).stderr).toMatch(/--seconds must be a number, got "abc"/);
    expect((await run(['transcode', 'song.mp3', 'o.wav', '--channels', '0'], 2)).stderr).toMatch(/--channels .* got "0"/);
    expect((await run(['transcode', 'song.mp3', 'o.wav', '--sample-format', 's8'], 2)).stderr).toMatch(/s16, s24 or f32, got "s8"/);
    expect((await run(['transcode', 'song.mp3', 'o.flac', '--sample-format', 'f32'], 2)).stderr).toMatch(/flac stores s16 or s24/);
    expect((await run(['tts', 'Hi.', '--rate', 'fast', '--out', 'x.wav'], 2)).stderr).toMatch(/--rate must be a number, got "fast"/);
  });

  it('demo runs and exits', async () => {
    expect((await run(['demo', '--seconds', '0.5'], 0)).stdout).toMatch(/× real time/);
  });
});

describe('item 2: no input is ever destroyed', () => {
  it.each([
    ['the same name', 'song.mp3'],
    ['a path through ../', 'sub/../song.mp3'],
    ['a symlink to it', 'link.mp3'],
    ['a hardlink to it', 'hard.mp3'],
  ])('transcode refuses an output that is the input by %s', async (_what, output) => {
    const before = hashes([path('song.mp3')]);
    expect((await run(['transcode', 'song.mp3', output], 2)).stderr).toMatch(/refusing to write .*input/);
    expect(hashes([path('song.mp3')])).toEqual(before);
  });

  it('separate refuses a stem that would land on the input', async () => {
    expect((await run(['separate', 'vocals.wav', '--out', '.'], 2)).stderr).toMatch(/refusing to write .*vocals\.wav/);
    expect(existsSync(path('drums.wav'))).toBe(false);
  });

  it('a transcode that fails leaves no file under the output name', async () => {
    const result = await run(['transcode', 'truncated.mp3', 'from-truncated.wav'], 1);
    expect(result.stderr).toMatch(/truncated.*--ignore-decode-errors/);
    expect(result.stderr).not.toMatch(/onDecodeError/);
    expect(existsSync(path('from-truncated.wav'))).toBe(false);
    await run(['transcode', 'truncated.mp3', 'salvaged.wav', '--ignore-decode-errors'], 0);
    expect((await probe(path('salvaged.wav'))).durationSeconds).toBeGreaterThan(1);
  });

  it('a missing input is a failure (exit 1) that names it', async () => {
    expect((await run(['transcode', 'missing.mp3', 'o.wav'], 1)).stderr).toMatch(/missing\.mp3/);
  });

  it('Ctrl-C leaves nothing under the output name, or with --keep-partial a playable file', async () => {
    const text = 'A long sentence to keep the synthesizer busy for a while. '.repeat(80);
    // Ctrl-C once audio is being written (its temporary file beside the output has grown past the header), not
    // after a fixed time: on a loaded machine the engine may not have started by then.
    const interruptWhileWriting = (name: string) => ({
      started: (child: import('node:child_process').ChildProcess) => {
        const deadline = Date.now() + 30_000;
        const poll = setInterval(() => {
          const writing = readdirSync(directory).some((file) => {
            if (!file.startsWith(`.${name}.`) || !file.endsWith('.part')) return false;
            return (statSync(path(file), { throwIfNoEntry: false })?.size ?? 0) > 8192;
          });
          if (writing || Date.now() > deadline || child.exitCode !== null) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 20);
      },
    });
    await run(['tts', text, '--out', 'interrupted.wav'], 1, interruptWhileWriting('interrupted.wav'));
    expect(existsSync(path('interrupted.wav'))).toBe(false);
    await run(['tts', text, '--out', 'kept.wav', '--keep-partial'], 1, interruptWhileWriting('kept.wav'));
    const kept = await probe(path('kept.wav'));
    expect(kept.durationSeconds).toBeGreaterThan(0);
  });
});

describe('item 10: one rule for formats and text', () => {
  it('an unknown output extension is a usage error naming the formats and --format', async () => {
    for (const args of [
      ['transcode', 'song.mp3', 'o.xyz'],
      ['tts', 'Hello.', '--out', 'o.xyz'],
    ]) {
      const result = await run(args, 2);
      expect(result.stderr).toMatch(/wav, pcm, flac, ogg, opus, mp3, aac, m4a/);
      expect(result.stderr).toMatch(/--format/);
    }
    expect(existsSync(path('o.xyz'))).toBe(false);
  });

  it('empty text, blank text and empty standard input are usage errors', async () => {
    await run(['tts', '', '--out', 'e.wav'], 2);
    await run(['tts', '   \n', '--out', 'e.wav'], 2);
    await run(['tts', '-', '--out', 'e.wav'], 2, { input: '' });
    await run(['tts', '-', '--out', 'e.wav'], 2, { input: '  \n\n ' });
    expect(existsSync(path('e.wav'))).toBe(false);
  });

  it('messages name CLI commands, not classes and API options', async () => {
    const voice = await run(['tts', 'Hello.', '--voice', 'nosuchvoice', '--out', 'v.wav'], 1);
    expect(voice.stderr).toMatch(/sluice voices/);
    expect(voice.stderr).not.toMatch(/EspeakEngine|voices\(\)/);
    const missing = await run(['probe', 'missing.mp3'], 1);
    expect(missing.stderr).not.toMatch(/probe: probe:/);
  });

  it('the CLI takes the server voice names (alloy) and writes the sample format asked for', async () => {
    await run(['tts', 'Hello from alloy.', '--voice', 'alloy', '--out', 'alloy.wav', '--sample-format', 'f32'], 0);
    expect(bitsPerSample(path('alloy.wav'))).toBe(32);
  });

  it('tts --captions writes WebVTT or SRT from the word timings', async () => {
    await run(['tts', 'Captions for everyone. Two sentences here.', '--out', 'cap.wav', '--captions', 'cap.vtt'], 0);
    expect(readFileSync(path('cap.vtt'), 'utf8')).toMatch(/^WEBVTT\n\n00:00:00\.\d{3} --> 00:00:0\d\.\d{3}\nCaptions for everyone\.\n/);
    await run(['tts', 'Captions for everyone.', '--out', 'cap2.wav', '--captions', 'cap.srt'], 0);
    expect(readFileSync(path('cap.srt'), 'utf8')).toMatch(/^1\n00:00:00,\d{3} --> /);
    expect((await run(['tts', 'Hi.', '--out', 'c.wav', '--captions', 'cap.txt'], 2)).stderr).toMatch(/\.vtt.*\.srt/);
  });

  it('probe says a truncated MP3 is truncated (exit 1); a whole one exits 0', async () => {
    await run(['probe', 'song.mp3'], 0);
    expect((await run(['probe', 'truncated.mp3'], 1)).stderr).toMatch(/truncated.*declares 3\.\d+ s.*about 1\.\d+ s/);
  });

  it('metrics warns when the inputs differ in length', async () => {
    const result = await run(['metrics', 'short.wav', 'vocals.wav', '--json'], 0);
    expect(result.stderr).toMatch(/warning: .*short\.wav is 1\.500 s .*vocals\.wav 2\.000 s/);
  });
});

describe('item 13: --sample-format everywhere WAV is written', () => {
  it.each([
    ['transcode', ['transcode', 'song.mp3', 't24.wav', '--sample-format', 's24'], 't24.wav'],
    ['separate', ['separate', 'song.mp3', '--out', 'stems24', '--sample-format', 's24'], 'stems24/vocals.wav'],
  ])('%s writes 24-bit WAV', async (_name, args, file) => {
    await run(args as string[], 0);
    expect(bitsPerSample(path(file as string))).toBe(24);
  });

  it('the DSP stems written by separate sum to the input, even with a DC offset (issue 15 item 5)', async () => {
    const dc = tone(2, 2).map((plane, c) => plane.map((v) => v + (c === 0 ? 0.2 : -0.1)));
    await new Pipeline({
      source: new CallbackSource([dc], { sampleRate: 44100, channels: 2 }),
      sink: new FileSink(path('dc.wav'), { sampleFormat: 'f32le' }),
    }).wait();
    await run(['separate', 'dc.wav', '--out', 'dcstems', '--sample-format', 'f32'], 0);
    const decode = async (file: string) => {
      const sink = new CollectSink();
      await new Pipeline({ source: await FileSource.open(file), sink }).wait();
      return sink.planes;
    };
    const stems = await Promise.all(['drums', 'bass', 'other', 'vocals'].map((stem) => decode(path('dcstems', `${stem}.wav`))));
    let worst = 0;
    dc.forEach((plane, c) => {
      for (let i = 0; i < plane.length; i++) {
        const sum = stems.reduce((acc, stem) => acc + ((stem[c] as Float32Array)[i] as number), 0);
        worst = Math.max(worst, Math.abs(sum - (plane[i] as number)));
      }
    });
    expect(worst).toBeLessThan(1e-5);
    expect((await run(['separate', 'dc.wav', '--out', 'x', '--normalize', 'sometimes'], 2)).stderr).toMatch(/--normalize must be/);
    await run(['separate', 'dc.wav', '--out', 'wholestems', '--normalize', 'whole'], 0);
  });

  it('separate --shifts runs demucs-style shifts over the whole track and writes every stem', async () => {
    const result = await run(['separate', 'vocals.wav', '--out', 'shifted', '--shifts', '2', '--dsp'], 0);
    expect(result.stderr).toMatch(/whole track/);
    expect(readdirSync(path('shifted')).sort()).toEqual(['bass.wav', 'drums.wav', 'other.wav', 'vocals.wav']);
    expect((await probe(path('shifted', 'vocals.wav'))).durationSeconds).toBeCloseTo(2, 2);
    expect((await run(['separate', 'vocals.wav', '--out', 'x', '--shifts', 'many'], 2)).stderr).toMatch(
      /--shifts must be a positive integer/,
    );
  });

  it('separate writes every stem as float WAV', async () => {
    await run(['separate', 'vocals.wav', '--out', 'f32stems', '--sample-format', 'f32'], 0);
    expect(readdirSync(path('f32stems')).sort()).toEqual(['bass.wav', 'drums.wav', 'other.wav', 'vocals.wav']);
    for (const stem of readdirSync(path('f32stems'))) expect(bitsPerSample(path('f32stems', stem))).toBe(32);
  });
});

describe('item 12 (CLI side): a module that fails leaves no output file', () => {
  it('wasm with a file that is not a module', async () => {
    await run(['wasm', 'not-a-module.wasm', 'vocals.wav', 'wasm-out.wav'], 1);
    expect(existsSync(path('wasm-out.wav'))).toBe(false);
  });
});

describe('item 1: device commands exit', () => {
  it('devices with no sound card says so and exits', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sluice-no-alsa-'));
    const result = await run(['devices'], 0, { env: { HOME: empty }, timeoutMs: 20_000 });
    if (/unavailable/.test(result.stderr)) return; // naudiodon missing: the next test says so
    expect(result.stdout).toMatch(/no audio devices found/);
    await run(['devices', '--json'], 0, { env: { HOME: empty }, timeoutMs: 20_000 });
  });

  it('devices, play, record and tts --play on ALSA file devices all exit by themselves', async (context) => {
    const probeRun = await sluice(['devices', '--json'], { cwd: directory, env: { HOME: alsa.home }, timeoutMs: 20_000 });
    expect(probeRun.hung).toBe(false);
    if (probeRun.code !== 0) {
      console.warn(`device commands skipped: ${probeRun.stderr.trim()}`);
      context.skip();
    }
    const env = { HOME: alsa.home };
    expect((await run(['devices'], 0, { env, timeoutMs: 20_000 })).stdout).toMatch(/default/);
    await run(['play', 'vocals.wav'], 0, { env, timeoutMs: 30_000 });
    await run(['record', 'recorded.wav', '--seconds', '0.5'], 0, { env, timeoutMs: 30_000 });
    await run(['tts', 'Played aloud.', '--play'], 0, { env, timeoutMs: 30_000 });
  });
});
