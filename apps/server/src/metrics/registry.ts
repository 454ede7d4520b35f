/** Counters and gauges for `/metrics` (Prometheus text format) and the web page (`/metrics.json`). */
export class MetricsRegistry {
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly gauges = new Map<string, number>();
  private readonly help = new Map<string, string>();

  constructor() {
    this.describe('sluice_requests_total', 'HTTP requests by route and status');
    this.describe('sluice_errors_total', 'Errors returned to clients, by Sluice error code');
    this.describe('sluice_bytes_out_total', 'Audio bytes sent to clients');
    this.describe('sluice_active_streams', 'Speech, separation and WebSocket streams in progress');
    this.describe('sluice_synthesis_speed', 'Audio seconds per second of the last finished speech stream (× real time)');
    this.describe('sluice_separation_speed', 'Audio seconds per second of the last finished separation job (× real time)');
    this.describe('sluice_speech_first_byte_seconds', 'Time to the first audio byte of the last speech stream');
    this.describe('sluice_event_loop_delay_p50_seconds', 'Median event-loop delay since the previous scrape');
    this.describe('sluice_event_loop_delay_p99_seconds', '99th-percentile event-loop delay since the previous scrape');
  }

  private describe(name: string, text: string): void {
    this.help.set(name, text);
  }

  /** Adds to a counter with labels. */
  count(name: string, labels: Record<string, string> = {}, by = 1): void {
    const key = Object.entries(labels)
      .map(([label, value]) => `${label}="${value.replace(/["\\\n]/g, '_')}"`)
      .join(',');
    const series = this.counters.get(name) ?? new Map<string, number>();
    series.set(key, (series.get(key) ?? 0) + by);
    this.counters.set(name, series);
  }

  /** Sets a gauge. */
  set(name: string, value: number): void {
    this.gauges.set(name, value);
  }

  /** Adds to a gauge (active streams). */
  add(name: string, by: number): void {
    this.gauges.set(name, (this.gauges.get(name) ?? 0) + by);
  }

  /** Prometheus text exposition format 0.0.4. */
  prometheus(): string {
    const lines: string[] = [];
    for (const [name, series] of this.counters) {
      lines.push(`# HELP ${name} ${this.help.get(name) ?? name}`, `# TYPE ${name} counter`);
      for (const [labels, value] of series) lines.push(`${name}${labels ? `{${labels}}` : ''} ${value}`);
    }
    for (const [name, value] of this.gauges) {
      lines.push(`# HELP ${name} ${this.help.get(name) ?? name}`, `# TYPE ${name} gauge`, `${name} ${Number.isFinite(value) ? value : 0}`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** The same figures as plain JSON, for the web page. */
  json(): Record<string, unknown> {
    const counters: Record<string, Record<string, number>> = {};
    for (const [name, series] of this.counters) counters[name] = Object.fromEntries(series);
    return { counters, gauges: Object.fromEntries(this.gauges) };
  }
}
