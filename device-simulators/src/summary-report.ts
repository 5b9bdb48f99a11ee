import type { SimulationSummary } from './simulator';

/** What the gateway's receipts say it stored: its own count, not what the simulator sent. */
function receiptLines(receipts: SimulationSummary['receipts']): string[] {
  const lines = [
    `stored by gateway:      ${receipts.storedNew} new, ${receipts.alreadyStored} already stored (deduplicated)${receipts.quarantined ? `, ${receipts.quarantined} quarantined` : ''}`,
  ];
  const reported = receipts.storedNew + receipts.alreadyStored + receipts.quarantined;
  if (!receipts.complete) {
    lines.push(
      `  receipts incomplete:  ${Math.max(0, receipts.expected - reported)} of ${receipts.expected} accepted readings not reported within ${receipts.timeoutMs / 1000} s (store slow or down, or a gateway without receipts); the counts above are partial`,
    );
  }
  if (receipts.stray) lines.push(`  receipts from an earlier session: ${receipts.stray} (not counted)`);
  return lines;
}

/** The end-of-run summary for people: what was sent, what the gateway did with it, what alerts to expect. */
export function formatSummary(summary: SimulationSummary): string {
  const lines = [
    `simulated ${summary.patients.length} patient(s), ${summary.patients.reduce((sum, patient) => sum + patient.deviceIds.length, 0)} device(s), ${summary.window.from} to ${summary.window.to}`,
    ...summary.patients.map(
      (patient) =>
        `  ${patient.patientKey}: ${patient.profile} (${patient.deviceIds.join(', ')})${patient.scenarios.length ? ` scenarios: ${patient.scenarios.join(', ')}` : ''}`,
    ),
    `readings sent:          ${summary.readingsSent} in ${summary.messagesSent} messages (${summary.messagesAcknowledged} acknowledged)`,
    `accepted by gateway:    ${summary.readingsAccepted} (${summary.distinctReadingsStored} distinct readings in this run)`,
    ...receiptLines(summary.receipts),
  ];
  const rejected = Object.entries(summary.rejectedByCode);
  const rejectedTotal = rejected.reduce((sum, [, count]) => sum + (count ?? 0), 0);
  lines.push(`rejected by gateway:    ${rejectedTotal}${rejected.length ? ` (${rejected.map(([code, count]) => `${code} ${count}`).join(', ')})` : ''}`);
  const expected = Object.entries(summary.expectedRejectionsByCode);
  if (expected.length) lines.push(`  expected rejections:  ${expected.map(([code, count]) => `${code} ${count}`).join(', ')}`);
  if (summary.readingsUnacknowledged) lines.push(`unacknowledged:         ${summary.readingsUnacknowledged} (never got a PUBACK)`);
  if (summary.duplicatesResent) lines.push(`duplicates re-sent:     ${summary.duplicatesResent} (the store keeps each once)`);
  if (summary.offlineBackfillReadings) lines.push(`offline backfill:       ${summary.offlineBackfillReadings} readings sent late, as batches`);
  if (summary.strayReplies) lines.push(`replies from an earlier session: ${summary.strayReplies}`);
  lines.push('per metric (sent / accepted):');
  for (const [metric, counts] of Object.entries(summary.perMetric)) lines.push(`  ${metric.padEnd(15)} ${counts!.sent} / ${counts!.accepted}`);
  if (summary.scenarios.length) {
    lines.push('scenarios and the alerts they should raise (docs/alert-rules.md):');
    for (const scenario of summary.scenarios) lines.push(`  ${scenario.scenario}${scenario.at ? ` (from ${scenario.at})` : ''}: ${scenario.expectedAlerts}`);
  }
  return `${lines.join('\n')}\n`;
}
