/**
 * Counters and gauges with bounded label sets, rendered in the Prometheus text format by the
 * health endpoint (GET /metrics) and as JSON (GET /metrics.json).
 *
 * Label values must come from a small closed set (a reason code, a format, a listener name),
 * never from input (a hostname, an IP): that is what keeps memory bounded.
 */
type Labels = Record<string, string>;

const labelKey = (labels: Labels | undefined): string => {
  if (!labels) return "";
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${labels[k]}"`).join(",");
};

/** One labelled series; hot paths bind it once and add to `value` directly. */
export interface Cell {
  value: number;
}

abstract class Metric {
  protected readonly cells = new Map<string, Cell>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge",
  ) {}

  /** The series for these labels, created at 0 on first use. Bind once, then `cell.value += n`. */
  bind(labels?: Labels): Cell {
    const key = labelKey(labels);
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { value: 0 };
      this.cells.set(key, cell);
    }
    return cell;
  }

  get(labels?: Labels): number {
    return this.cells.get(labelKey(labels))?.value ?? 0;
  }

  /** Sum over every label set. */
  total(): number {
    let sum = 0;
    for (const c of this.cells.values()) sum += c.value;
    return sum;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    if (this.cells.size === 0) lines.push(`${this.name} 0`);
    for (const [key, cell] of this.cells) lines.push(key ? `${this.name}{${key}} ${cell.value}` : `${this.name} ${cell.value}`);
    return lines.join("\n");
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.cells].map(([k, c]) => [k, c.value]));
  }
}

export class Counter extends Metric {
  constructor(name: string, help: string) {
    super(name, help, "counter");
  }

  inc(labels?: Labels, by = 1): void {
    this.bind(labels).value += by;
  }
}

export class Gauge extends Metric {
  constructor(name: string, help: string) {
    super(name, help, "gauge");
  }

  set(value: number, labels?: Labels): void {
    this.bind(labels).value = value;
  }

  add(by: number, labels?: Labels): void {
    this.bind(labels).value += by;
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.register(new Gauge(name, help));
  }

  private register<M extends Metric>(metric: M): M {
    const existing = this.metrics.get(metric.name);
    if (existing) {
      if (existing.constructor !== metric.constructor) throw new Error(`metric ${metric.name} registered twice with different types`);
      return existing as M;
    }
    this.metrics.set(metric.name, metric);
    return metric;
  }

  renderPrometheus(): string {
    return [...this.metrics.values()].map((m) => m.render()).join("\n") + "\n";
  }

  toJSON(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.metrics].map(([name, m]) => [name, m.toJSON()]));
  }
}
