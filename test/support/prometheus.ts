// Reads a /metrics scrape with parse-prometheus-text-format. That parser folds every series of a
// histogram into one (it drops their labels, _sum and _count), so histograms are read from a second
// parse with their TYPE lines taken out: _bucket, _sum and _count then come back as plain samples
// with all their labels.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
}
export interface HistogramSeries {
  labels: Labels;
  /** Cumulative counts by upper bound (`le`), `+Inf` included. */
  buckets: Map<string, number>;
  count: number;
  sum: number;
}

export class Scrape {
  /** Metric family name to its TYPE (counter, gauge, histogram, …). */
  readonly types = new Map<string, string>();
  private readonly samples = new Map<string, Sample[]>();

  constructor(readonly text: string) {
    for (const family of parsePrometheusTextFormat(text)) this.types.set(family.name, family.type.toLowerCase());
    const flat = text.replace(/^# TYPE \S+ (histogram|summary)$/gm, '');
    for (const family of parsePrometheusTextFormat(flat)) {
      const list = this.samples.get(family.name) ?? [];
      for (const m of family.metrics) if (m.value !== undefined) list.push({ labels: m.labels ?? {}, value: Number(m.value) });
      this.samples.set(family.name, list);
    }
  }

  /** The samples of `name` whose labels include `labels`. */
  series(name: string, labels: Labels = {}): Sample[] {
    return (this.samples.get(name) ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The one sample of `name` with these labels (undefined when none). */
  value(name: string, labels: Labels = {}): number | undefined {
    const found = this.series(name, labels);
    if (found.length > 1) throw new Error(`${found.length} series of ${name} match ${JSON.stringify(labels)}`);
    return found[0]?.value;
  }

  /** The histogram series of `name` with these labels. */
  histogram(name: string, labels: Labels): HistogramSeries | undefined {
    const count = this.value(`${name}_count`, labels);
    if (count === undefined) return undefined;
    const buckets = new Map(this.series(`${name}_bucket`, labels).map((s) => [s.labels.le!, s.value]));
    return { labels, buckets, count, sum: this.value(`${name}_sum`, labels)! };
  }

  /** Distinct values of `label` over the samples of `name`. */
  labelValues(name: string, label: string): Set<string> {
    return new Set(this.series(name).flatMap((s) => (s.labels[label] === undefined ? [] : [s.labels[label]])));
  }
}
