import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackSource, CollectSink, Pipeline } from '@sluice/core';
import { FileSink, FileSource } from '@sluice/writers';
import createWabt from 'wabt';
import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../src/io';
import { main } from '../src/main';

const directory = mkdtempSync(join(tmpdir(), 'sluice-cli-wasm-'));

/** An effect that halves every sample (the gain comes from --param). */
const HALVER = `(module
  (memory (export "memory") 1 16)
  (global $gain (mut f32) (f32.const 1))
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "set_param") (param i32) (param $v f64) (global.set $gain (f32.demote_f64 (local.get $v))))
  (func (export "process") (param $p i32) (param $frames i32) (param $channels i32) (result i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.mul (local.get $frames) (local.get $channels)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (global.get $gain)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next)))
    (i32.const 0)))`;

describe('sluice wasm', () => {
  it('runs a file through a module with parameters', async () => {
    const wabt = await createWabt();
    const parsed = wabt.parseWat('halver.wat', HALVER);
    writeFileSync(join(directory, 'gain.wasm'), parsed.toBinary({}).buffer);
    const tone = Float32Array.from({ length: 4410 }, (_, i) => 0.5 * Math.sin(i / 7));
    await new Pipeline({
      source: new CallbackSource([[tone]], { sampleRate: 44100, channels: 1 }),
      sink: new FileSink(join(directory, 'in.wav'), { sampleFormat: 'f32le' }),
    }).wait();
    const stderr: string[] = [];
    const io: CommandIo = { out: () => undefined, err: (t) => void stderr.push(t), interactive: false };
    expect(
      await main(['wasm', join(directory, 'gain.wasm'), join(directory, 'in.wav'), join(directory, 'out.wav'), '--param', 'gain=0.25'], io),
    ).toBe(0);
    expect(stderr.join('\n')).toMatch(/gain=0\.25.*× real time/);
    const sink = new CollectSink();
    await new Pipeline({ source: await FileSource.open(join(directory, 'out.wav')), sink }).wait();
    // The output WAV is 16-bit (FileSink's default): within one quantisation step of input × 0.25.
    const out = sink.planes[0] as Float32Array;
    expect(out.length).toBe(tone.length);
    for (let i = 0; i < out.length; i++) expect(Math.abs((out[i] as number) - (tone[i] as number) * 0.25)).toBeLessThanOrEqual(1 / 32768);
    expect(
      await main(['wasm', join(directory, 'gain.wasm'), join(directory, 'in.wav'), join(directory, 'x.wav'), '--param', 'gain'], io),
    ).toBe(2);
  });
});
