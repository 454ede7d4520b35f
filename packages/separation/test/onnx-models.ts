/**
 * Tiny ONNX models the tests and benchmarks build themselves (no weights
 * can be downloaded here), honouring the input/output contracts of the
 * real HTDemucs and MDX-Net exports.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = 1;

/** A seeded generator in [0, 1) (benchmarks import this file too, outside vitest). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
const INT64 = 7;

type Dim = number | string;

const FLOAT16 = 10;

function valueInfo(name: string, dims: readonly Dim[], elemType = FLOAT) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  });
}

function floatTensor(name: string, dims: readonly number[], values: Float32Array) {
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: FLOAT,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
}

function int64Tensor(name: string, values: readonly number[]) {
  return onnx.TensorProto.create({ name, dims: [values.length], dataType: INT64, int64Data: [...values] });
}

interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  ints?: Record<string, number[]>;
  /** Single-integer attributes (keepdims, …). */
  int?: Record<string, number>;
}

/** A graph: inputs, outputs, initializers and nodes; encoded to a .onnx file in a temporary folder. */
export class GraphBuilder {
  private readonly inputs: ReturnType<typeof valueInfo>[] = [];
  private readonly outputs: ReturnType<typeof valueInfo>[] = [];
  private readonly initializers: ReturnType<typeof floatTensor>[] = [];
  private readonly nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];

  input(name: string, dims: readonly Dim[], elemType = FLOAT): this {
    this.inputs.push(valueInfo(name, dims, elemType));
    return this;
  }

  output(name: string, dims: readonly Dim[], elemType = FLOAT): this {
    this.outputs.push(valueInfo(name, dims, elemType));
    return this;
  }

  floats(name: string, dims: readonly number[], values: Float32Array): this {
    this.initializers.push(floatTensor(name, dims, values));
    return this;
  }

  int64s(name: string, values: readonly number[]): this {
    this.initializers.push(int64Tensor(name, values));
    return this;
  }

  node({ op, inputs, outputs, ints = {}, int = {} }: NodeSpec): this {
    const attribute = [
      ...Object.entries(ints).map(([name, values]) =>
        onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values }),
      ),
      ...Object.entries(int).map(([name, value]) =>
        onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value }),
      ),
    ];
    this.nodes.push(onnx.NodeProto.create({ opType: op, input: inputs, output: outputs, name: `${op}_${this.nodes.length}`, attribute }));
    return this;
  }

  encode(): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: 'sluice-test',
      input: this.inputs,
      output: this.outputs,
      initializer: this.initializers,
      node: this.nodes,
    });
    const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'sluice-tests', opsetImport: [{ domain: '', version: 17 }], graph });
    return onnx.ModelProto.encode(model).finish();
  }

  /** Writes the model to a fresh temporary file and returns its path. */
  save(name: string): string {
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-onnx-')), `${name}.onnx`);
    writeFileSync(path, this.encode());
    return path;
  }
}

/** Multiplies a [1, C, …] input, unsqueezed at axis 1, by per-stem factors shaped [1, S, 1, …]. */
function stemFactors(builder: GraphBuilder, input: string, output: string, factors: string): GraphBuilder {
  return builder
    .int64s(`${input}_axis`, [1])
    .node({ op: 'Unsqueeze', inputs: [input, `${input}_axis`], outputs: [`${input}_stems`] })
    .node({ op: 'Mul', inputs: [`${input}_stems`, factors], outputs: [output] });
}

/**
 * Waveform contract, [1, 2, T] → [1, S, 2, T]: stem s = input × gain[s] ×
 * ramp(t), where ramp rises from 0.5 to 1.5 across the window, so the result
 * depends on where a window starts (a fixed-gain model would hide overlap-add mistakes).
 * `mixing` adds half the window's mean per channel to every sample, so what
 * the padding holds reaches every output sample, as it does through a real
 * model's convolutions and attention. `tanh` makes it non-linear, so that
 * normalisation matters.
 */
export function waveformModel(
  frames: number,
  gains: readonly number[],
  options: { ramp?: boolean; tanh?: boolean; mixing?: boolean } = {},
): string {
  const stems = gains.length;
  const factors = new Float32Array(stems * frames);
  for (let s = 0; s < stems; s++) {
    for (let t = 0; t < frames; t++) factors[s * frames + t] = (gains[s] as number) * (options.ramp === false ? 1 : 0.5 + t / frames);
  }
  const builder = new GraphBuilder()
    .input('mix', [1, 2, frames])
    .output('sources', [1, stems, 2, frames])
    .floats('factors', [1, stems, 1, frames], factors);
  let last = 'scaled';
  stemFactors(builder, 'mix', last, 'factors');
  if (options.mixing) {
    builder
      .floats('half', [1], Float32Array.of(0.5))
      .int64s('stem_axis', [1])
      .node({ op: 'ReduceMean', inputs: ['mix'], outputs: ['mean'], ints: { axes: [2] }, int: { keepdims: 1 } })
      .node({ op: 'Unsqueeze', inputs: ['mean', 'stem_axis'], outputs: ['mean_stems'] })
      .node({ op: 'Mul', inputs: ['mean_stems', 'half'], outputs: ['half_mean'] })
      .node({ op: 'Add', inputs: [last, 'half_mean'], outputs: ['mixed'] });
    last = 'mixed';
  }
  if (options.tanh) {
    builder.node({ op: 'Tanh', inputs: [last], outputs: ['tanh'] });
    last = 'tanh';
  }
  builder.node({ op: 'Identity', inputs: [last], outputs: ['sources'] });
  return builder.save(`waveform-${stems}x${frames}`);
}

/**
 * Split contract: spectral branch = spectrogram × specGains[s], time branch = waveform × timeGains[s].
 * `names` gives the tensors the names a published export uses (mix/mag in, freq or x and time or xt out).
 */
export function splitModel(
  frames: number,
  specGains: readonly number[],
  timeGains: readonly number[],
  names: { wave?: string; spec?: string; specOut?: string; waveOut?: string } = {},
): string {
  const stems = specGains.length;
  const specFrames = Math.ceil(frames / 1024);
  const { wave = 'mix', spec = 'spec', specOut = 'spec_out', waveOut = 'wave_out' } = names;
  const builder = new GraphBuilder()
    .input(wave, [1, 2, frames])
    .input(spec, [1, 4, 2048, specFrames])
    .output(specOut, [1, stems, 4, 2048, specFrames])
    .output(waveOut, [1, stems, 2, frames])
    .floats('spec_gains', [1, stems, 1, 1, 1], Float32Array.from(specGains))
    .floats('time_gains', [1, stems, 1, 1], Float32Array.from(timeGains));
  stemFactors(builder, spec, specOut, 'spec_gains');
  stemFactors(builder, wave, waveOut, 'time_gains');
  return builder.save(`split-${stems}x${frames}`);
}

/** A float16 waveform export (half-precision I/O, as published fp16 exports are): stem s = input × gains[s], computed in float32 inside. */
export function float16WaveformModel(frames: number, gains: readonly number[]): string {
  const stems = gains.length;
  const builder = new GraphBuilder()
    .input('mix', [1, 2, frames], FLOAT16)
    .output('sources', [1, stems, 2, frames], FLOAT16)
    .floats('gains', [1, stems, 1, 1], Float32Array.from(gains))
    .node({ op: 'Cast', inputs: ['mix'], outputs: ['mix32'], int: { to: FLOAT } });
  stemFactors(builder, 'mix32', 'scaled', 'gains');
  builder.node({ op: 'Cast', inputs: ['scaled'], outputs: ['sources'], int: { to: FLOAT16 } });
  return builder.save(`waveform-fp16-${stems}x${frames}`);
}

/** MDX-Net contract: [batch, 4, dimF, dimT] → same shape, the spectrogram × gain. */
export function mdxModel(dimF: number, dimT: number, gain: number, bias = 0): string {
  // `bias` adds a constant to every bin: what UVR's denoise (averaging the model on ±spectrum) takes out again.
  return new GraphBuilder()
    .input('input', ['batch', 4, dimF, dimT])
    .output('output', ['batch', 4, dimF, dimT])
    .floats('gain', [1], Float32Array.of(gain))
    .floats('bias', [1], Float32Array.of(bias))
    .node({ op: 'Mul', inputs: ['input', 'gain'], outputs: ['scaled'] })
    .node({ op: 'Add', inputs: ['scaled', 'bias'], outputs: ['output'] })
    .save(`mdx-${dimF}x${dimT}`);
}

/** A graph that fits no separation contract: [1, 2, T] → [1, 2, T]. */
export function identityModel(frames: number): string {
  return new GraphBuilder()
    .input('x', [1, 2, frames])
    .output('y', [1, 2, frames])
    .node({ op: 'Identity', inputs: ['x'], outputs: ['y'] })
    .save('identity');
}

/**
 * A waveform-contract model of realistic size for benchmarks: a strided
 * Conv1d encoder (kernel = stride = `hop`), two 1×1 Conv layers with ReLU,
 * and a ConvTranspose1d decoder back to [1, S·2, T], reshaped to [1, S, 2, T].
 * With width 768 and hidden 2048 it has about 3.6 million parameters.
 */
export function convModel(
  frames: number,
  options: { stems?: number; hop?: number; width?: number; hidden?: number } = {},
): { path: string; parameters: number } {
  const stems = options.stems ?? 4;
  const hop = options.hop ?? 60;
  const width = options.width ?? 768;
  const hidden = options.hidden ?? 2048;
  if (frames % hop !== 0) throw new Error(`frames (${frames}) must be a multiple of hop (${hop})`);
  const random = seededRandom(7);
  const weights = (count: number, fanIn: number) => Float32Array.from({ length: count }, () => ((random() - 0.5) * 2) / Math.sqrt(fanIn));
  const shapes = {
    encoder: [width, 2, hop],
    up: [hidden, width, 1],
    down: [width, hidden, 1],
    decoder: [width, stems * 2, hop],
  } as const;
  const builder = new GraphBuilder()
    .input('mix', [1, 2, frames])
    .output('sources', [1, stems, 2, frames])
    .floats('encoder', shapes.encoder, weights(width * 2 * hop, 2 * hop))
    .floats('up', shapes.up, weights(hidden * width, width))
    .floats('down', shapes.down, weights(width * hidden, hidden))
    .floats('decoder', shapes.decoder, weights(width * stems * 2 * hop, width))
    .int64s('shape', [1, stems, 2, frames])
    .node({ op: 'Conv', inputs: ['mix', 'encoder'], outputs: ['encoded'], ints: { strides: [hop], kernel_shape: [hop] } })
    .node({ op: 'Relu', inputs: ['encoded'], outputs: ['a'] })
    .node({ op: 'Conv', inputs: ['a', 'up'], outputs: ['b'], ints: { kernel_shape: [1] } })
    .node({ op: 'Relu', inputs: ['b'], outputs: ['c'] })
    .node({ op: 'Conv', inputs: ['c', 'down'], outputs: ['d'], ints: { kernel_shape: [1] } })
    .node({ op: 'Relu', inputs: ['d'], outputs: ['e'] })
    .node({ op: 'ConvTranspose', inputs: ['e', 'decoder'], outputs: ['decoded'], ints: { strides: [hop], kernel_shape: [hop] } })
    .node({ op: 'Reshape', inputs: ['decoded', 'shape'], outputs: ['sources'] });
  const parameters = Object.values(shapes).reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
  return { path: builder.save(`conv-${parameters}`), parameters };
}
