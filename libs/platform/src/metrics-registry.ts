import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * An app's Prometheus registry: the process' default metrics (CPU, memory, event loop, GC) under the
 * app's prefix (`rpm_gateway_`), and the app's own metrics registered beside them.
 */
export function createMetricsRegistry(prefix: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}

/**
 * A gauge read at scrape time from a source (0 until one is set). Reading must have no side effect:
 * a scrape never logs, alarms or changes state.
 */
export function scrapedGauge(
  registry: Registry,
  name: string,
  help: string,
  source: () => number | undefined | Promise<number | undefined> = () => 0,
): Gauge & { setSource(next: () => number | undefined | Promise<number | undefined>): void } {
  let read = source;
  const gauge = new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      const value = await read();
      if (value !== undefined) this.set(value);
    },
  });
  return Object.assign(gauge, { setSource: (next: typeof read) => void (read = next) });
}

/** A counter in `registry`. Labels never carry a patient, device or alert id. */
export function counter<L extends string = never>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

/** A gauge in `registry`, set by the code that knows its value. */
export function gauge<L extends string = never>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return new Gauge<L>({ name, help, labelNames, registers: [registry] });
}
