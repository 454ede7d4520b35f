/**
 * @packageDocumentation
 * `@sluice/metrics`: SI-SDR, SDR, SNR and correlation in one float64 pass,
 * BSS-Eval v4 (museval's definition, fast), SeparationMetrics for stems, and
 * a streaming MetricsSink that scores a pipeline's output as it runs.
 */
export type { Channel, PairOptions, Signal } from './signal/input';
export {
  type SiSdrOptions,
  type SignalMetrics,
  correlation,
  correlationPerChannel,
  measure,
  sdr,
  sdrPerChannel,
  siSdr,
  siSdrPerChannel,
  snr,
} from './signal/metrics';
export { type BssEvalOptions, type BssEvalResult, bssEval, nanMedian } from './bss/bss-eval';
export {
  SeparationMetrics,
  type SeparationMetricsOptions,
  type SeparationReport,
  type StemMetrics,
  formatMetricsTable,
  metricsToJson,
} from './separation/separation-metrics';
export { MetricsSink, type MetricsSinkOptions, type RunningMetrics } from './sink/metrics-sink';
