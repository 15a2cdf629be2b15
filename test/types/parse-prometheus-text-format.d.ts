/** Types of `parse-prometheus-text-format` (the package ships none): the prom2json-like shape it returns. */
declare module 'parse-prometheus-text-format' {
  /** One sample of a counter, gauge or untyped family. */
  interface PromSample {
    readonly value?: string;
    readonly labels?: Readonly<Record<string, string>>;
    /** Histogram samples: cumulative count per `le`, without `+Inf`. */
    readonly buckets?: Readonly<Record<string, string>>;
    readonly count?: string;
    readonly sum?: string;
  }
  /** One metric family. */
  interface PromFamily {
    readonly name: string;
    readonly help: string;
    readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    readonly metrics: readonly PromSample[];
  }
  /** Parses Prometheus text exposition format; throws on malformed input. */
  export default function parsePrometheusTextFormat(text: string): PromFamily[];
}
