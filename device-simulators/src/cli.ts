import { parseCliOptions, USAGE, UsageError } from './cli-options';
import { PublishProgress } from './progress';
import { resolveDevices } from './resolve-devices';
import { runSimulation } from './simulator';
import { formatSummary } from './summary-report';

const log = (line: string) => process.stderr.write(`sim: ${line}\n`);

async function main(): Promise<number> {
  let options;
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`sim: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }

  const devices = await resolveDevices(options, log);
  const stop = new AbortController();
  process.once('SIGINT', () => {
    log('stopping (Ctrl-C again to quit at once) ...');
    stop.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const progress = new PublishProgress();
  let lastLiveLog = Date.now();
  const summary = await runSimulation({
    brokerUrl: options.brokerUrl,
    devices,
    seed: options.seed,
    days: options.days,
    batchSize: options.batchSize,
    scenarios: options.scenarios,
    speed: options.speed,
    live: options.live,
    liveForMs: options.durationMinutes === undefined ? undefined : options.durationMinutes * 60_000,
    signal: stop.signal,
    onBackfillPlanned: (total) => progress.start(total),
    onReadingsAcknowledged: (count) => progress.advance(count),
    onLiveTick: ({ readingsSent }) => {
      progress.stop();
      if (Date.now() - lastLiveLog < 60_000) return;
      lastLiveLog = Date.now();
      log(`${options.speed ? `replaying at ${options.speed}x` : 'live'}: ${readingsSent} readings sent so far`);
    },
  }).finally(() => progress.stop());
  process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  return 0;
}

main().then(
  (status) => process.exit(status),
  (error: Error) => {
    process.stderr.write(`\nsim: ${error.message}\n`);
    process.exit(1);
  },
);
