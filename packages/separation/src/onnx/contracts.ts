import { SluiceError } from '@sluice/core';
import { DEMUCS_BINS, demucsFrames } from '../stft/demucs-stft';
import type { MdxStftConfig } from '../stft/mdx-stft';
import type { InferencePlan, ValueInfo } from './protocol';

/** The two ways HTDemucs is exported to ONNX. */
export type HTDemucsContract = 'waveform' | 'split';

/** HTDemucs' training segment: 7.8 s at 44.1 kHz. */
export const HTDEMUCS_SEGMENT_FRAMES = 343980;

/** A dimension from the model matches when it is symbolic or unknown, or equals the expected value. */
function fits(actual: number | string | undefined, expected: number | undefined): boolean {
  if (actual === undefined) return false;
  if (typeof actual === 'string' || actual < 0 || expected === undefined) return true;
  return actual === expected;
}

function fixed(dim: number | string | undefined): number | undefined {
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

function show(values: readonly ValueInfo[]): string {
  return values.map((value) => `${value.name} ${value.type} [${value.shape.join(', ')}]`).join('; ') || 'none';
}

/** Describes what a model offers, for E_MODEL messages. */
export function describeModel(inputs: readonly ValueInfo[], outputs: readonly ValueInfo[]): string {
  return `inputs: ${show(inputs)}; outputs: ${show(outputs)}`;
}

/** All float32, or all float16 (half-precision exports: converted at the edge by the worker). */
function floatTensors(values: readonly ValueInfo[]): boolean {
  const type = values[0]?.type;
  return (type === 'float32' || type === 'float16') && values.every((value) => value.type === type);
}

/** The waveform export: one input [1, 2, T] and one output [1, S, 2, T]. */
function waveformPlan(inputs: readonly ValueInfo[], outputs: readonly ValueInfo[]): InferencePlan | string {
  const expected = `one input float32 (or float16) [1, 2, ${HTDEMUCS_SEGMENT_FRAMES}] and one output [1, S, 2, ${HTDEMUCS_SEGMENT_FRAMES}]`;
  const [input] = inputs;
  const [output] = outputs;
  if (inputs.length !== 1 || outputs.length !== 1 || input === undefined || output === undefined || !floatTensors([input, output]))
    return expected;
  const frames = fixed(input.shape[2]) ?? fixed(output.shape[3]) ?? HTDEMUCS_SEGMENT_FRAMES;
  const inputFits = input.shape.length === 3 && fits(input.shape[0], 1) && fits(input.shape[1], 2) && fits(input.shape[2], frames);
  const outputFits =
    output.shape.length === 4 &&
    fits(output.shape[0], 1) &&
    fits(output.shape[2], 2) &&
    fits(output.shape[3], frames) &&
    fixed(output.shape[1]) !== undefined;
  if (!inputFits || !outputFits) return expected;
  return { kind: 'waveform', input: input.name, output: output.name, stems: fixed(output.shape[1]) as number, frames };
}

/** The split export: waveform [1, 2, T] + spectrogram [1, 4, 2048, F] in; spectral [1, S, 4, 2048, F] + time [1, S, 2, T] out. */
function splitPlan(inputs: readonly ValueInfo[], outputs: readonly ValueInfo[]): InferencePlan | string {
  const frames0 = HTDEMUCS_SEGMENT_FRAMES;
  const expected = `inputs float32 [1, 2, ${frames0}] and [1, 4, ${DEMUCS_BINS}, ${demucsFrames(frames0)}], outputs float32 [1, S, 4, ${DEMUCS_BINS}, ${demucsFrames(frames0)}] and [1, S, 2, ${frames0}]`;
  if (inputs.length !== 2 || outputs.length !== 2 || !floatTensors([...inputs, ...outputs])) return expected;
  const wave = inputs.find((value) => value.shape.length === 3);
  const spec = inputs.find((value) => value.shape.length === 4);
  const time = outputs.find((value) => value.shape.length === 4);
  const spectral = outputs.find((value) => value.shape.length === 5);
  if (wave === undefined || spec === undefined || time === undefined || spectral === undefined) return expected;
  const frames = fixed(wave.shape[2]) ?? fixed(time.shape[3]) ?? frames0;
  const specFrames = demucsFrames(frames);
  const stems = fixed(time.shape[1]) ?? fixed(spectral.shape[1]);
  const ok =
    stems !== undefined &&
    fits(wave.shape[0], 1) &&
    fits(wave.shape[1], 2) &&
    fits(wave.shape[2], frames) &&
    fits(spec.shape[0], 1) &&
    fits(spec.shape[1], 4) &&
    fits(spec.shape[2], DEMUCS_BINS) &&
    fits(spec.shape[3], specFrames) &&
    fits(time.shape[0], 1) &&
    fits(time.shape[1], stems) &&
    fits(time.shape[2], 2) &&
    fits(time.shape[3], frames) &&
    fits(spectral.shape[0], 1) &&
    fits(spectral.shape[1], stems) &&
    fits(spectral.shape[2], 4) &&
    fits(spectral.shape[3], DEMUCS_BINS) &&
    fits(spectral.shape[4], specFrames);
  if (!ok) return expected;
  return { kind: 'split', waveInput: wave.name, specInput: spec.name, waveOutput: time.name, specOutput: spectral.name, stems, frames };
}

/**
 * Checks a loaded model against an HTDemucs contract (or finds which one
 * it honours, for `'auto'`) and returns how to run it; `E_MODEL` with what
 * was expected and what was found otherwise.
 */
export function htdemucsPlan(
  contract: HTDemucsContract | 'auto',
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  modelPath: string,
): InferencePlan {
  const candidates: HTDemucsContract[] = contract === 'auto' ? ['waveform', 'split'] : [contract];
  const misses: string[] = [];
  for (const candidate of candidates) {
    const plan = candidate === 'waveform' ? waveformPlan(inputs, outputs) : splitPlan(inputs, outputs);
    if (typeof plan !== 'string') return plan;
    misses.push(`the ${candidate} contract needs ${plan}`);
  }
  const other = contract === 'waveform' ? splitPlan(inputs, outputs) : contract === 'split' ? waveformPlan(inputs, outputs) : 'none';
  const hint = typeof other === 'string' ? '' : ` (it fits the ${other.kind} contract: pass contract: '${other.kind}')`;
  throw new SluiceError(
    'E_MODEL',
    `${modelPath} is not an HTDemucs export: ${misses.join('; ')}; found ${describeModel(inputs, outputs)}${hint}`,
    {
      details: { inputs, outputs },
    },
  );
}

/** Checks a loaded model against the MDX-Net contract: input and output [batch, 4, dimF, dimT]. */
export function mdxPlan(
  config: Partial<MdxStftConfig> & { nFft: number },
  compensate: number,
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  modelPath: string,
): InferencePlan {
  const [input] = inputs;
  const [output] = outputs;
  const dimF = config.dimF ?? fixed(input?.shape[2]);
  const dimT = config.dimT ?? fixed(input?.shape[3]);
  const expected = `one input and one output float32 [batch, 4, ${dimF ?? 'dimF'}, ${dimT ?? 'dimT'}]`;
  const shapeFits = (value: ValueInfo | undefined) =>
    value !== undefined &&
    value.shape.length === 4 &&
    fits(value.shape[0], 1) &&
    fits(value.shape[1], 4) &&
    fits(value.shape[2], dimF) &&
    fits(value.shape[3], dimT);
  if (inputs.length !== 1 || outputs.length !== 1 || !floatTensors([...inputs, ...outputs]) || !shapeFits(input) || !shapeFits(output)) {
    throw new SluiceError(
      'E_MODEL',
      `${modelPath} is not an MDX-Net model: expected ${expected}; found ${describeModel(inputs, outputs)}`,
      {
        details: { inputs, outputs },
      },
    );
  }
  if (dimF === undefined || dimT === undefined) {
    throw new SluiceError('E_MODEL', `${modelPath}: the model's dimF/dimT are dynamic; pass dimF and dimT (UVR's model data has them)`);
  }
  return {
    kind: 'mdx',
    input: (input as ValueInfo).name,
    output: (output as ValueInfo).name,
    config: { nFft: config.nFft, hop: config.hop ?? 1024, dimF, dimT },
    compensate,
  };
}
