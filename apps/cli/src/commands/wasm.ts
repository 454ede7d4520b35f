import { parseArgs } from 'node:util';
import { Pipeline } from '@sluice/core';
import { WasmProcessor } from '@sluice/wasm';
import { FileSink, FileSource } from '@sluice/writers';
import { type Command, UsageError } from '../io';
import { DECODE_OPTIONS, decodeErrorOption } from '../messages';
import {
  FILE_OUTPUT_HELP,
  FILE_OUTPUT_OPTIONS,
  fileOutputOptions,
  containerOf,
  parsePositiveInteger,
  parsePositiveNumber,
  refuseInputAsOutput,
} from '../options';

/** `--param k=v`: numeric parameters, passed to set_param in the order given. */
function parseParams(values: string[] | undefined): { names: string[]; values: number[] } {
  const names: string[] = [];
  const numbers: number[] = [];
  for (const entry of values ?? []) {
    const match = /^([A-Za-z_][\w-]*)=(.+)$/.exec(entry);
    const value = Number(match?.[2]);
    if (match === null || !Number.isFinite(value)) throw new UsageError(`--param takes name=number, got "${entry}"`);
    names.push(match[1] as string);
    numbers.push(value);
  }
  return { names, values: numbers };
}

/** `sluice wasm MODULE.wasm IN OUT`: a file through a sandboxed WebAssembly module. */
export const wasmCommand: Command = {
  name: 'wasm',
  usage: `sluice wasm MODULE.wasm IN OUT [--param name=value]… [--analyser] [--memory-pages N] [--ms-per-chunk N]
                [--format F] [--sample-format s16|s24|f32] [--keep-partial] [--ignore-decode-errors]

Parameters go to the module's set_param(index, value) in the order given. With --analyser the
audio passes unchanged and the module's records are printed as JSON lines. The module runs in a
worker with limits on memory, time per chunk and imports (see @sluice/wasm's README for the ABI).
${FILE_OUTPUT_HELP}`,
  async run(args, io, signal) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        param: { type: 'string', multiple: true },
        analyser: { type: 'boolean' },
        'memory-pages': { type: 'string' },
        'ms-per-chunk': { type: 'string' },
        format: { type: 'string' },
        ...FILE_OUTPUT_OPTIONS,
        ...DECODE_OPTIONS,
      },
    });
    const [module, input, output] = positionals;
    if (module === undefined || input === undefined || output === undefined) throw new UsageError('give MODULE.wasm IN OUT');
    const params = parseParams(values.param);
    const format = containerOf(output, values.format);
    const file = fileOutputOptions(values, format);
    const memoryPages = parsePositiveInteger(values['memory-pages'], 'memory-pages');
    const msPerChunk = parsePositiveNumber(values['ms-per-chunk'], 'ms-per-chunk');
    await refuseInputAsOutput([output], [input, module]);
    const processor = new WasmProcessor(module, {
      kind: values.analyser ? 'analyser' : 'effect',
      params: params.values,
      limits: { ...(memoryPages === undefined ? {} : { memoryPages }), ...(msPerChunk === undefined ? {} : { msPerChunk }) },
    });
    const printing = (async () => {
      const decoder = new TextDecoder();
      for await (const record of processor.records) io.out(decoder.decode(record.data).trimEnd());
    })();
    const stats = await new Pipeline({
      source: await FileSource.open(input, decodeErrorOption(values)),
      processors: [processor],
      sink: new FileSink(output, { container: format, ...file, inputs: [input] }),
      signal,
    }).wait();
    await printing;
    const instance = processor.stats;
    io.err(
      `${stats.audioSeconds.toFixed(2)} s through ${module}${params.names.length ? ` (${params.names.map((n, i) => `${n}=${params.values[i]}`).join(', ')})` : ''}: ${stats.speed.toFixed(0)}× real time, ${((instance?.meanSecondsPerChunk ?? 0) * 1000).toFixed(3)} ms per chunk`,
    );
    return 0;
  },
};
