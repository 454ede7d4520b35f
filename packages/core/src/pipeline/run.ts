import { SluiceError } from '../errors/sluice-error';
import type { Processor, Sink, Source } from '../stream/types';
import { Pipeline, type PipelineOptions } from './pipeline';
import type { PipelineStats } from './stats';

/** Options accepted as the last argument of {@link run}. */
export type RunOptions = Omit<PipelineOptions, 'source' | 'processors' | 'sink' | 'sinks'>;

type Stage = Processor | Sink | readonly Sink[] | RunOptions;

function isSink(value: unknown): value is Sink {
  return typeof value === 'object' && value !== null && typeof (value as Sink).write === 'function';
}

function isProcessor(value: unknown): value is Processor {
  return typeof value === 'object' && value !== null && typeof (value as Processor).process === 'function';
}

/**
 * The functional form of {@link Pipeline}: `run(source, ...processors, sink, options?)`
 * runs to the end and resolves with the stats. The sink may be an array (fan-out).
 *
 * ```ts
 * const stats = await run(new ToneSource({ seconds: 1 }), new GainProcessor({ gainDb: -6 }), sink, { signal });
 * ```
 */
export function run(source: Source, ...stages: Stage[]): Promise<PipelineStats> {
  let options: RunOptions = {};
  const last = stages[stages.length - 1];
  if (last !== undefined && !Array.isArray(last) && !isSink(last) && !isProcessor(last)) {
    options = last as RunOptions;
    stages = stages.slice(0, -1);
  }
  const sinkStage = stages.pop();
  const sinks = Array.isArray(sinkStage) ? (sinkStage as Sink[]) : isSink(sinkStage) ? [sinkStage] : undefined;
  if (sinks === undefined) {
    throw new SluiceError(
      'E_INVALID_ARGUMENT',
      'run(source, ...processors, sink): the last stage (before options) must be a sink or an array of sinks',
    );
  }
  const processors = stages.map((stage, i) => {
    if (!isProcessor(stage)) throw new SluiceError('E_INVALID_ARGUMENT', `run(): stage ${i + 1} is not a processor (no process())`);
    return stage;
  });
  return new Pipeline({ ...options, source, processors, sinks }).wait();
}
