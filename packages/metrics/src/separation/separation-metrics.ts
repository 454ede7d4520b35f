import { SluiceError } from '@sluice/core';
import { type BssEvalOptions, bssEval } from '../bss/bss-eval';
import type { Signal } from '../signal/input';
import { measure } from '../signal/metrics';

/** Metrics of one stem. */
export interface StemMetrics {
  siSdr: number;
  sdr: number;
  snr: number;
  correlation: number;
  /** BSS-Eval v4 medians over windows, when asked for. */
  bss?: { sdr: number; isr: number; sir: number; sar: number };
}

/** What {@link SeparationMetrics.compute} returns. */
export interface SeparationReport {
  /** Per stem, in the order of the references. */
  stems: Record<string, StemMetrics>;
  /** Mean over stems of each metric (NaN-free means; infinite values count). */
  overall: StemMetrics;
  /** Things a reader of the figures should know, e.g. that the references were linearly dependent. */
  warnings: string[];
}

/** Options for {@link SeparationMetrics}. */
export interface SeparationMetricsOptions {
  /** Also compute BSS-Eval v4 medians (slower: seconds per minute of audio). */
  bss?: boolean | BssEvalOptions;
  /** Compare the common prefix when lengths differ (default: lengths must match). */
  truncate?: boolean;
}

/**
 * Scores separated stems against references, like mlx-audio's
 * `SeparationMetrics().compute(estimated, reference)`: SI-SDR, SDR, SNR and
 * correlation per stem (and optionally BSS-Eval v4), matched by stem name.
 */
export class SeparationMetrics {
  constructor(private readonly options: SeparationMetricsOptions = {}) {}

  async compute(estimates: Readonly<Record<string, Signal>>, references: Readonly<Record<string, Signal>>): Promise<SeparationReport> {
    const names = Object.keys(references);
    if (names.length === 0) throw new SluiceError('E_INVALID_ARGUMENT', 'SeparationMetrics: no reference stems');
    const missing = names.filter((name) => !Object.hasOwn(estimates, name));
    if (missing.length > 0) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `SeparationMetrics: no estimate for stem(s) ${missing.join(', ')} (estimates have ${Object.keys(estimates).join(', ') || 'none'})`,
      );
    }
    const stems: Record<string, StemMetrics> = {};
    const warnings: string[] = [];
    for (const name of names) {
      const { siSdr, sdr, snr, correlation } = measure(estimates[name] as Signal, references[name] as Signal, {
        truncate: this.options.truncate ?? false,
      });
      stems[name] = { siSdr, sdr, snr, correlation };
    }
    if (this.options.bss) {
      const bssOptions = typeof this.options.bss === 'object' ? this.options.bss : {};
      const result = await bssEval(
        names.map((name) => estimates[name] as Signal),
        names.map((name) => references[name] as Signal),
        bssOptions,
      );
      if (result.illConditioned) {
        warnings.push(
          `BSS-Eval: the references are linearly dependent or nearly so (a mono stem stored as stereo, a channel copied from another); the filters were regularised (loading ${result.regularization.toExponential(0)}), so SIR and ISR cannot separate what the references cannot`,
        );
      }
      names.forEach((name, j) => {
        (stems[name] as StemMetrics).bss = {
          sdr: result.median.sdr[j] as number,
          isr: result.median.isr[j] as number,
          sir: result.median.sir[j] as number,
          sar: result.median.sar[j] as number,
        };
      });
    }
    return { stems, overall: average(Object.values(stems)), warnings };
  }
}

function mean(values: number[]): number {
  const kept = values.filter((v) => !Number.isNaN(v));
  return kept.length === 0 ? Number.NaN : kept.reduce((a, b) => a + b, 0) / kept.length;
}

function average(list: StemMetrics[]): StemMetrics {
  const overall: StemMetrics = {
    siSdr: mean(list.map((m) => m.siSdr)),
    sdr: mean(list.map((m) => m.sdr)),
    snr: mean(list.map((m) => m.snr)),
    correlation: mean(list.map((m) => m.correlation)),
  };
  if (list.every((m) => m.bss !== undefined)) {
    overall.bss = {
      sdr: mean(list.map((m) => m.bss?.sdr as number)),
      isr: mean(list.map((m) => m.bss?.isr as number)),
      sir: mean(list.map((m) => m.bss?.sir as number)),
      sar: mean(list.map((m) => m.bss?.sar as number)),
    };
  }
  return overall;
}

const format = (value: number) => (Number.isNaN(value) ? 'n/a' : Number.isFinite(value) ? value.toFixed(2) : value > 0 ? '+inf' : '-inf');

/** A plain-text table of a report, one row per stem and an `overall` row. */
export function formatMetricsTable(report: SeparationReport): string {
  const withBss = report.overall.bss !== undefined;
  const header = ['stem', 'SI-SDR', 'SDR', 'SNR', 'corr', ...(withBss ? ['BSS SDR', 'ISR', 'SIR', 'SAR'] : [])];
  const row = (name: string, m: StemMetrics) => [
    name,
    format(m.siSdr),
    format(m.sdr),
    format(m.snr),
    Number.isNaN(m.correlation) ? 'n/a' : m.correlation.toFixed(4),
    ...(withBss && m.bss ? [format(m.bss.sdr), format(m.bss.isr), format(m.bss.sir), format(m.bss.sar)] : []),
  ];
  const rows = [header, ...Object.entries(report.stems).map(([name, m]) => row(name, m)), row('overall', report.overall)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  '))
    .join('\n');
}

/** A JSON-safe copy of a report: ±Infinity and NaN become strings ("inf", "-inf", "nan"). */
export function metricsToJson(report: SeparationReport): unknown {
  return JSON.parse(
    JSON.stringify(report, (_key, value) =>
      typeof value === 'number' && !Number.isFinite(value) ? (Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf') : value,
    ),
  );
}
