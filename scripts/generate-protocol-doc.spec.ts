import { normalizeReading } from '@rpm/clinical';
import { METRICS, deviceReadingSchema, deviceReceiptSchema, deviceReplySchema, pairingQrUri, parsePairingQrUri, readingBatchSchema } from '@rpm/contracts';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DOC_RELATIVE_PATH,
  EXAMPLE_BATCH,
  EXAMPLE_PAIRING_QR,
  EXAMPLE_READINGS,
  EXAMPLE_RECEIPT,
  EXAMPLE_REPLY,
  REGENERATE_HINT,
  firstDifference,
  renderDeviceProtocolDoc,
} from './generate-protocol-doc';

const docPath = path.resolve(__dirname, '..', DOC_RELATIVE_PATH);

/** zod's issues as one line, so a failing example says what is wrong with it. */
function issuesOf(result: { success: boolean; error?: { issues: readonly { path: PropertyKey[]; message: string }[] } }): string {
  return (result.error?.issues ?? []).map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}

describe('docs/device-protocol.md', () => {
  it('is the output of renderDeviceProtocolDoc()', () => {
    const rendered = renderDeviceProtocolDoc();
    if (!existsSync(docPath)) throw new Error(`${DOC_RELATIVE_PATH} does not exist: ${REGENERATE_HINT}`);
    const onDisk = readFileSync(docPath, 'utf8');
    if (onDisk !== rendered) {
      throw new Error(`${DOC_RELATIVE_PATH} is out of date with libs/contracts (first difference at ${firstDifference(rendered, onDisk)}): ${REGENERATE_HINT}`);
    }
  });

  it('renders deterministically', () => {
    expect(renderDeviceProtocolDoc()).toBe(renderDeviceProtocolDoc());
  });

  it('shows every example payload', () => {
    const doc = renderDeviceProtocolDoc();
    for (const payload of [...EXAMPLE_READINGS.map((example) => example.reading), EXAMPLE_BATCH, EXAMPLE_REPLY, EXAMPLE_RECEIPT]) {
      expect(doc).toContain(JSON.stringify(payload, null, 2));
    }
  });
});

describe('device protocol examples', () => {
  it('has an example reading for every metric', () => {
    const covered = new Set(EXAMPLE_READINGS.map((example) => example.reading.metric));
    expect(METRICS.filter((metric) => !covered.has(metric))).toEqual([]);
  });

  it.each(EXAMPLE_READINGS.map((example) => [example.title, example.reading] as const))(
    'the "%s" example is a valid reading the gateway would store',
    (_title, reading) => {
      const parsed = deviceReadingSchema.safeParse(reading);
      if (!parsed.success) throw new Error(`does not parse with deviceReadingSchema: ${issuesOf(parsed)}`);
      expect(parsed.data).toEqual(reading);
      // Also plausible after unit conversion, so it would not be refused with out_of_range.
      expect(normalizeReading(parsed.data)).toMatchObject({ ok: true });
    },
  );

  it('the batch example is a valid batch of valid readings', () => {
    const batch = readingBatchSchema.safeParse(EXAMPLE_BATCH);
    if (!batch.success) throw new Error(`does not parse with readingBatchSchema: ${issuesOf(batch)}`);
    EXAMPLE_BATCH.readings.forEach((reading, index) => {
      const parsed = deviceReadingSchema.safeParse(reading);
      if (!parsed.success) throw new Error(`readings[${index}] does not parse with deviceReadingSchema: ${issuesOf(parsed)}`);
      expect(normalizeReading(parsed.data)).toMatchObject({ ok: true });
    });
  });

  it('the reply example is a valid reply', () => {
    const parsed = deviceReplySchema.safeParse(EXAMPLE_REPLY);
    if (!parsed.success) throw new Error(`does not parse with deviceReplySchema: ${issuesOf(parsed)}`);
    expect(parsed.data).toEqual(EXAMPLE_REPLY);
  });

  it("reads the pairing QR code's example URI back, and refuses other schemes, versions and fields", () => {
    const uri = pairingQrUri(EXAMPLE_PAIRING_QR);
    expect(renderDeviceProtocolDoc()).toContain(uri);
    expect(parsePairingQrUri(uri)).toEqual(EXAMPLE_PAIRING_QR);
    for (const other of [
      uri.replace('rpm-pair:', 'rpm-pairing:'),
      uri.replace(':v1?', ':v2?'),
      uri.replace('ABCD-2345', 'ABCD2345'),
      uri.replace('https%3A', 'javascript%3A'),
      'rpm-pair:v1?code=ABCD-2345',
    ])
      expect(parsePairingQrUri(other)).toBeNull();
  });

  it('the receipt example is a valid receipt', () => {
    const parsed = deviceReceiptSchema.safeParse(EXAMPLE_RECEIPT);
    if (!parsed.success) throw new Error(`does not parse with deviceReceiptSchema: ${issuesOf(parsed)}`);
    expect(parsed.data).toEqual(EXAMPLE_RECEIPT);
  });
});
