import { MG_DL_PER_MMOL_L, MMHG_PER_KPA, PLAUSIBLE_RANGES, kPaToMmHg, mmolPerLToMgPerDl, normalizeReading } from '@rpm/clinical';
import {
  DEVICE_PROTOCOL_VERSION,
  MAX_BATCH_SIZE,
  EARLIEST_MEASURED_AT,
  MAX_FUTURE_SKEW_MS,
  METRICS,
  REJECTION_CODES,
  PAIRING_QR_SCHEME,
  PAIRING_QR_VERSION,
  issuedCredentialSchema,
  pairingClaimRequestSchema,
  pairingQrPayloadSchema,
  pairingQrUri,
  deviceReadingSchema,
  deviceReadingsTopic,
  deviceReceiptSchema,
  deviceReceiptsTopic,
  deviceRepliesTopic,
  deviceReplySchema,
  readingBatchSchema,
  type DeviceReading,
  type DeviceReceipt,
  type DeviceReply,
  type Metric,
  type RejectionCode,
} from '@rpm/contracts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * `npm run docs:generate`: writes docs/device-protocol.md from the device protocol zod schemas in
 * libs/contracts, so the document device makers read cannot drift from what the gateway validates.
 * `--check` only compares, and exits 1 when the committed file is out of date.
 *
 * The prose is written here by hand; every JSON Schema, field table, limit, unit factor and code list
 * comes from the contracts (and the unit factors from libs/clinical). Every example payload is
 * exported so generate-protocol-doc.spec.ts can parse it with the schemas.
 */

export const DOC_RELATIVE_PATH = 'docs/device-protocol.md';
export const REGENERATE_HINT = 'run `npm run docs:generate` and commit docs/device-protocol.md';

// ---------------------------------------------------------------------------------------------------
// Examples: every payload shown in the document. The spec parses each with the contract schemas.
// ---------------------------------------------------------------------------------------------------

export interface ReadingExample {
  title: string;
  /** One sentence shown above the payload. */
  note: string;
  reading: DeviceReading;
}

export const EXAMPLE_READINGS: readonly ReadingExample[] = [
  {
    title: 'Glucose meter (finger-stick)',
    note: 'A fasting reading in mg/dL; `measuredAt` carries the local offset of the meter.',
    reading: {
      metric: 'glucose',
      value: 104,
      unit: 'mg/dL',
      source: 'meter',
      mealContext: 'fasting',
      measuredAt: '2026-11-22T07:30:00+01:00',
      seq: 1287,
    },
  },
  {
    title: 'Continuous glucose monitor (CGM)',
    note: 'A CGM reading in mmol/L with the trend arrow the sensor shows; the gateway stores it in mg/dL.',
    reading: {
      metric: 'glucose',
      value: 6.2,
      unit: 'mmol/L',
      source: 'cgm',
      trend: 'rising',
      measuredAt: '2026-11-22T06:35:00Z',
      seq: 48211,
    },
  },
  {
    title: 'Blood-pressure cuff',
    note: 'Systolic, diastolic and pulse from one cuff measurement.',
    reading: {
      metric: 'blood_pressure',
      systolic: 128,
      diastolic: 82,
      pulse: 71,
      unit: 'mmHg',
      measuredAt: '2026-11-22T06:40:00Z',
      seq: 342,
    },
  },
  {
    title: 'Heart rate (wearable)',
    note: 'A resting heart rate; `seq` is optional and left out here.',
    reading: { metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: '2026-11-22T06:45:00Z' },
  },
  {
    title: 'Pulse oximeter (SpO2)',
    note: 'Oxygen saturation in percent.',
    reading: { metric: 'spo2', value: 97, unit: '%', measuredAt: '2026-11-22T06:45:30Z', seq: 9051 },
  },
  {
    title: 'Step counter',
    note: 'Steps counted over the hour that ends at `measuredAt`.',
    reading: { metric: 'steps', value: 1843, unit: 'steps', periodSeconds: 3600, measuredAt: '2026-11-22T07:00:00Z' },
  },
];

/** A blood-pressure cuff that was offline overnight sends the three readings it kept in memory. */
export const EXAMPLE_BATCH: { readings: DeviceReading[] } = {
  readings: [
    { metric: 'blood_pressure', systolic: 135, diastolic: 88, pulse: 76, unit: 'mmHg', measuredAt: '2026-11-21T20:15:00Z', seq: 339 },
    { metric: 'blood_pressure', systolic: 131, diastolic: 85, pulse: 74, unit: 'mmHg', measuredAt: '2026-11-21T21:45:00Z', seq: 340 },
    { metric: 'blood_pressure', systolic: 126, diastolic: 80, pulse: 69, unit: 'mmHg', measuredAt: '2026-11-22T06:30:00Z', seq: 341 },
  ],
};

/** What a device can receive on its replies topic after sending a batch whose second reading had a bad clock. */
export const EXAMPLE_REPLY: DeviceReply = {
  status: 'partial',
  accepted: 2,
  rejected: [
    {
      index: 1,
      code: 'future_timestamp',
      message: `measuredAt 2026-11-23T21:45:00Z is more than ${MAX_FUTURE_SKEW_MS / 60_000} min ahead of the gateway clock; check the device clock`,
    },
  ],
  receivedAt: '2026-11-22T06:31:02.418Z',
};

/** What the cuff of EXAMPLE_BATCH receives on its receipts topic when it sends that batch a second time. */
export const EXAMPLE_RECEIPT: DeviceReceipt = {
  storedNew: 0,
  alreadyStored: 3,
  quarantined: 0,
  earliestMeasuredAt: '2026-11-21T20:15:00.000Z',
  latestMeasuredAt: '2026-11-22T06:30:00.000Z',
  storedAt: '2026-11-22T06:41:07.902Z',
};

// ---------------------------------------------------------------------------------------------------
// Hand-written prose that must stay complete: typed as Records so a new metric or code fails to compile.
// ---------------------------------------------------------------------------------------------------

const METRIC_TITLES: Record<Metric, string> = {
  glucose: 'Blood glucose (`glucose`)',
  blood_pressure: 'Blood pressure (`blood_pressure`)',
  heart_rate: 'Heart rate (`heart_rate`)',
  spo2: 'Oxygen saturation (`spo2`)',
  steps: 'Steps (`steps`)',
};

const REJECTION_MEANINGS: Record<RejectionCode, { meaning: string; action: string }> = {
  malformed_json: {
    meaning: 'The message is not valid JSON. Nothing in it was stored.',
    action: 'Fix the firmware; sending the same bytes again fails again.',
  },
  invalid_payload: {
    meaning:
      'The JSON does not match the schema: a required field missing, a field not in the schema, a wrong type, ' +
      'a `measuredAt` without a time zone, or a value outside the bounds in the field tables below. For a batch ' +
      'object that is itself malformed, nothing in it was stored. `message` names the first fields at fault.',
    action: 'Fix the payload; do not resend it unchanged.',
  },
  unknown_metric: {
    meaning: `\`metric\` is not one of ${METRICS.map((metric) => `\`${metric}\``).join(', ')}.`,
    action: 'Do not resend; this gateway does not take that measurement.',
  },
  out_of_range: {
    meaning:
      'The payload is valid but the value, after conversion to the canonical unit, is outside the plausible range ' +
      'below, or a blood pressure has its systolic value not above its diastolic value. Such values are a device or ' +
      'entry fault, not a patient state.',
    action: 'Do not resend; check the sensor.',
  },
  future_timestamp: {
    meaning: `\`measuredAt\` is more than ${formatDuration(MAX_FUTURE_SKEW_MS)} after the gateway's clock.`,
    action: 'Set the device clock (for example over NTP); resend only with the corrected time.',
  },
  timestamp_too_old: {
    meaning: `\`measuredAt\` is before ${EARLIEST_MEASURED_AT}: the device clock was never set (many report 1970 or 2000).`,
    action: 'Set the device clock; resend only with the corrected time.',
  },
  batch_too_large: {
    meaning: `A batch holds more than ${MAX_BATCH_SIZE} readings. Nothing in it was stored.`,
    action: `Split it into batches of at most ${MAX_BATCH_SIZE} and send them.`,
  },
};

/**
 * Descriptions for fields whose schema has none. Keyed by schema section then field path. The generator
 * fails when a note names a field that does not exist or that the schema now describes itself, so these
 * notes cannot silently go stale: move them into `.describe()` in libs/contracts when convenient.
 */
const FIELD_NOTES: Record<string, Record<string, string>> = {
  glucose: {
    metric: 'Selects this schema.',
    unit: `Unit of \`value\`; mmol/L is stored as mg/dL (x ${MG_DL_PER_MMOL_L}).`,
    mealContext: 'When the reading was taken relative to a meal, if the meter records it.',
  },
  blood_pressure: {
    metric: 'Selects this schema.',
    systolic: 'Systolic pressure in `unit`.',
    diastolic: 'Diastolic pressure in `unit`; must be below `systolic`.',
  },
  heart_rate: {
    metric: 'Selects this schema.',
    value: 'Heart rate in beats per minute.',
    unit: 'Always `bpm`.',
  },
  spo2: {
    metric: 'Selects this schema.',
    value: 'Oxygen saturation in percent.',
    unit: 'Always `%`.',
  },
  steps: {
    metric: 'Selects this schema.',
    unit: 'Always `steps`.',
  },
  receipt: {},
  reply: {
    status: '`accepted`: every reading stored; `partial`: some stored, some refused; `rejected`: none stored.',
    rejected: 'One entry per refused reading.',
    'rejected[].code': 'Why the reading was refused; see "Replies and rejection codes".',
  },
};

/** Fields whose plausible range is not in the metric's canonical unit. */
const FIELD_UNITS: Record<string, string> = { 'blood_pressure.pulse': 'bpm' };

/** How each non-canonical unit is converted on arrival. A unit missing here makes the generator fail. */
const CONVERSIONS: Record<string, string> = {
  'glucose:mmol/L': `value x ${MG_DL_PER_MMOL_L}, rounded to 0.1 mg/dL`,
  'blood_pressure:kPa': `systolic and diastolic x ${MMHG_PER_KPA}, rounded to 0.1 mmHg; pulse stays in bpm`,
};

// ---------------------------------------------------------------------------------------------------
// JSON Schema (as z.toJSONSchema emits it) to Markdown tables.
// ---------------------------------------------------------------------------------------------------

interface JsonSchemaNode {
  $schema?: string;
  type?: string;
  const?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchemaNode;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  additionalProperties?: boolean;
}

/** Keywords the field tables know how to show; any other keyword fails the generator rather than being dropped. */
const RENDERED_KEYWORDS = new Set<string>([
  '$schema',
  'type',
  'const',
  'enum',
  'format',
  'pattern',
  'description',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'items',
  'properties',
  'required',
  'additionalProperties',
]);

const toJsonSchema = (schema: z.ZodType): JsonSchemaNode => z.toJSONSchema(schema) as unknown as JsonSchemaNode;

interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  allowed: string;
  description: string;
}

function assertRenderable(node: JsonSchemaNode, where: string): void {
  for (const keyword of Object.keys(node)) {
    if (!RENDERED_KEYWORDS.has(keyword)) {
      throw new Error(`generate-protocol-doc: cannot show JSON Schema keyword "${keyword}" of ${where}; teach fieldRows() about it`);
    }
  }
}

function typeOf(node: JsonSchemaNode): string {
  if (node.type === 'array') return `array of ${node.items?.type ?? 'any'}`;
  const type = node.type ?? 'any';
  return node.format ? `${type} (${node.format})` : type;
}

const code = (value: unknown): string => `\`${JSON.stringify(value)}\``;

function allowedOf(node: JsonSchemaNode): string {
  const parts: string[] = [];
  if (node.const !== undefined) parts.push(code(node.const));
  if (node.enum) parts.push(node.enum.map(code).join(', '));
  if (node.exclusiveMinimum !== undefined) parts.push(`> ${node.exclusiveMinimum}`);
  // zod's .int() adds the safe-integer bounds; they say nothing to a device maker.
  if (node.minimum !== undefined && node.minimum !== Number.MIN_SAFE_INTEGER) parts.push(`>= ${node.minimum}`);
  if (node.maximum !== undefined && node.maximum !== Number.MAX_SAFE_INTEGER) parts.push(`<= ${node.maximum}`);
  if (node.exclusiveMaximum !== undefined) parts.push(`< ${node.exclusiveMaximum}`);
  if (node.minLength !== undefined) parts.push(`at least ${node.minLength} characters`);
  if (node.maxLength !== undefined) parts.push(`at most ${node.maxLength} characters`);
  if (node.minItems !== undefined) parts.push(`at least ${node.minItems} item${node.minItems === 1 ? '' : 's'}`);
  if (node.maxItems !== undefined) parts.push(`at most ${node.maxItems} items`);
  if (node.pattern !== undefined) parts.push('matches the `pattern` in the JSON Schema');
  return parts.join(', ');
}

function fieldRows(section: string, schema: JsonSchemaNode): FieldRow[] {
  const notes = { ...(FIELD_NOTES[section] ?? {}) };
  const rows: FieldRow[] = [];
  const visit = (node: JsonSchemaNode, prefix: string, where: string) => {
    assertRenderable(node, where);
    const required = new Set(node.required ?? []);
    for (const [key, field] of Object.entries(node.properties ?? {})) {
      const name = `${prefix}${key}`;
      assertRenderable(field, `${section}.${name}`);
      const note = notes[name];
      if (note !== undefined && field.description !== undefined) {
        throw new Error(`generate-protocol-doc: ${section}.${name} now has a schema description; remove its FIELD_NOTES entry`);
      }
      delete notes[name];
      rows.push({ name, type: typeOf(field), required: required.has(key), allowed: allowedOf(field), description: field.description ?? note ?? '' });
      if (field.properties) visit(field, `${name}.`, `${section}.${name}`);
      if (field.items?.properties) visit(field.items, `${name}[].`, `${section}.${name}[]`);
    }
  };
  visit(schema, '', section);
  const stale = Object.keys(notes);
  if (stale.length > 0) throw new Error(`generate-protocol-doc: FIELD_NOTES for ${section} name fields the schema does not have: ${stale.join(', ')}`);
  return rows;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function fieldTable(section: string, schema: JsonSchemaNode): string {
  const lines = [
    '| field | type | required | allowed values / range | description |',
    '|---|---|---|---|---|',
    ...fieldRows(section, schema).map(
      (row) => `| \`${row.name}\` | ${cell(row.type)} | ${row.required ? 'yes' : 'no'} | ${cell(row.allowed)} | ${cell(row.description)} |`,
    ),
  ];
  if (schema.additionalProperties === false) lines.push('', 'No other fields are allowed (`additionalProperties: false`).');
  return lines.join('\n');
}

const jsonBlock = (value: unknown): string => ['```json', JSON.stringify(value, null, 2), '```'].join('\n');

function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) {
    const minutes = ms / 60_000;
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  return `${ms / 1000} seconds`;
}

// ---------------------------------------------------------------------------------------------------
// The document.
// ---------------------------------------------------------------------------------------------------

interface MetricSection {
  metric: Metric;
  schema: z.ZodType;
  jsonSchema: JsonSchemaNode;
}

/** One section per option of the deviceReadingSchema union, in its order: a new metric appears by itself. */
function metricSections(): MetricSection[] {
  return deviceReadingSchema.options.map((schema) => ({
    metric: schema.shape.metric.value,
    schema,
    jsonSchema: toJsonSchema(schema),
  }));
}

function unitsOf(jsonSchema: JsonSchemaNode): string[] {
  const unit = jsonSchema.properties?.unit;
  if (!unit) throw new Error('generate-protocol-doc: a reading schema has no `unit` field');
  if (unit.const !== undefined) return [String(unit.const)];
  if (unit.enum) return unit.enum.map(String);
  throw new Error('generate-protocol-doc: `unit` is neither a const nor an enum');
}

/** The canonical unit of a metric, as libs/clinical normalises its example reading. */
function canonicalUnitOf(metric: Metric): string {
  const example = EXAMPLE_READINGS.find((candidate) => candidate.reading.metric === metric);
  if (!example) throw new Error(`generate-protocol-doc: no example reading for metric "${metric}"; add one to EXAMPLE_READINGS`);
  const normalized = normalizeReading(example.reading);
  if (!normalized.ok) throw new Error(`generate-protocol-doc: example "${example.title}" is refused: ${normalized.message}`);
  return normalized.reading.unit;
}

function renderUnits(sections: MetricSection[]): string {
  const rows = sections.map(({ metric, jsonSchema }) => {
    const canonical = canonicalUnitOf(metric);
    const units = unitsOf(jsonSchema);
    const conversions = units
      .filter((unit) => unit !== canonical)
      .map((unit) => {
        const conversion = CONVERSIONS[`${metric}:${unit}`];
        if (!conversion) throw new Error(`generate-protocol-doc: no CONVERSIONS entry for ${metric} in ${unit}`);
        return `${unit}: ${conversion}`;
      });
    return `| \`${metric}\` | ${units.map((unit) => `\`${unit}\``).join(', ')} | \`${canonical}\` | ${cell(conversions.join('; ') || 'none')} |`;
  });
  const ranges = Object.entries(PLAUSIBLE_RANGES).flatMap(([metric, fields]) =>
    Object.entries(fields as Record<string, readonly [number, number]>).map(
      ([field, [low, high]]) =>
        `| \`${metric}\` | \`${field}\` | ${low} to ${high} ${FIELD_UNITS[`${metric}.${field}`] ?? canonicalUnitOf(metric as Metric)} |`,
    ),
  );
  return [
    '## Units',
    '',
    'Each metric has a canonical unit. The gateway converts a reading to it on arrival and stores both the',
    'converted values and the original unit and values the device sent, so nothing the device said is lost.',
    '',
    '| metric | units a device may send | stored in | conversion |',
    '|---|---|---|---|',
    ...rows,
    '',
    `For example, a CGM reading of 6.2 mmol/L is stored as ${mmolPerLToMgPerDl(6.2)} mg/dL, and a cuff reading of`,
    `16.0/10.7 kPa as ${kPaToMmHg(16)}/${kPaToMmHg(10.7)} mmHg. Send the unit the device itself displays; do not convert on the device.`,
    '',
    'After conversion, a value outside its plausible range is refused with `out_of_range` (a device or entry',
    'fault, not a patient state), and so is a blood pressure whose systolic value is not above its diastolic value:',
    '',
    '| metric | field | plausible range |',
    '|---|---|---|',
    ...ranges,
  ].join('\n');
}

function renderExamples(): string {
  const parts = ['## Examples', '', 'Every example below is parsed with the contract schemas by the test suite.'];
  for (const example of EXAMPLE_READINGS) {
    parts.push('', `### ${example.title}`, '', example.note, '', jsonBlock(example.reading));
  }
  parts.push(
    '',
    '### Batch (offline backfill)',
    '',
    `A blood-pressure cuff that was offline overnight sends the ${EXAMPLE_BATCH.readings.length} readings it kept, in one message.`,
    '',
    jsonBlock(EXAMPLE_BATCH),
    '',
    '### Reply to a partly refused batch',
    '',
    `What a device receives on \`${deviceRepliesTopic('{deviceId}')}\` after sending a batch of three readings`,
    'whose second one had a `measuredAt` a day ahead: two readings were stored, the one at index 1 was refused.',
    '',
    jsonBlock(EXAMPLE_REPLY),
    '',
    '### Receipt for a batch sent again',
    '',
    `What the same cuff receives on \`${deviceReceiptsTopic('{deviceId}')}\` when it sends that batch a second time`,
    '(say its PUBACK was lost): the store already held all three readings and kept one copy of each.',
    '',
    jsonBlock(EXAMPLE_RECEIPT),
  );
  return parts.join('\n');
}

/** The example in the Pairing section: a code as the API issues it, at the operator's address. */
export const EXAMPLE_PAIRING_QR = { code: 'ABCD-2345', api: 'https://rpm.example.org' } as const;

function renderPairing(): string {
  const uri = pairingQrUri(EXAMPLE_PAIRING_QR);
  return [
    '## Pairing a hub or app (discharge QR code)',
    '',
    "A patient's hub or phone app need not be registered by hand: at discharge the clinician issues a one-time pairing",
    'code for it (`POST /patients/{patientId}/pairing-codes {kind}`, valid 24 hours) and prints or shows it as a QR',
    'code with the code written beneath it. The hub or app scans the QR code (or the patient types the code) and',
    'exchanges the code, once, for its own device credential; it then connects as described under "Connecting".',
    '',
    `The QR code encodes a URI of scheme \`${PAIRING_QR_SCHEME}\`, version \`${PAIRING_QR_VERSION}\`, with URL-encoded query parameters:`,
    '',
    '```text',
    uri,
    '```',
    '',
    fieldTable('pairing QR', toJsonSchema(pairingQrPayloadSchema)),
    '',
    `Read it with the rules of a URL query (\`URLSearchParams\`): a scanner must refuse another scheme or version (a`,
    'later version may carry more). The QR code holds no patient data and no credential; the code alone is worth one',
    'device credential, once, before it expires. Then claim it:',
    '',
    '```sh',
    `curl -X POST https://rpm.example.org/pairing/claim -H 'content-type: application/json' -d '{"code":"${EXAMPLE_PAIRING_QR.code}"}'`,
    '```',
    '',
    fieldTable('pairing claim', toJsonSchema(pairingClaimRequestSchema)),
    '',
    'The answer, 201, is the credential (shown once: keep the secret on the device, it cannot be read again):',
    '',
    fieldTable('pairing credential', toJsonSchema(issuedCredentialSchema)),
    '',
    'A used, expired or unknown code answers 404; a malformed one 400. Claims are limited to 10 a minute per address',
    '(429 with `Retry-After`).',
  ].join('\n');
}

function renderReference(sections: MetricSection[]): string {
  const parts = [
    '## Payload reference',
    '',
    'The tables and JSON Schemas in this section are generated from the zod schemas in',
    '`libs/contracts/src/device-payloads.schema.ts` and `libs/contracts/src/device-replies.schema.ts` with',
    "zod's `z.toJSONSchema()` (JSON Schema draft 2020-12). A single reading must match exactly one of the metric",
    'schemas, chosen by its `metric` field.',
  ];
  for (const { metric, jsonSchema } of sections) {
    parts.push(
      '',
      `### ${METRIC_TITLES[metric]}`,
      '',
      fieldTable(metric, jsonSchema),
      '',
      '<details><summary>JSON Schema</summary>',
      '',
      jsonBlock(jsonSchema),
      '',
      '</details>',
    );
  }
  const batch = toJsonSchema(readingBatchSchema);
  const reply = toJsonSchema(deviceReplySchema);
  const receipt = toJsonSchema(deviceReceiptSchema);
  parts.push(
    '',
    '### Batch message',
    '',
    'Each item of `readings` must match one of the metric schemas above; the batch schema itself does not constrain',
    'the items, so that one bad item is refused on its own instead of refusing the whole batch.',
    '',
    fieldTable('batch', batch),
    '',
    '<details><summary>JSON Schema</summary>',
    '',
    jsonBlock(batch),
    '',
    '</details>',
    '',
    '### Reply message',
    '',
    fieldTable('reply', reply),
    '',
    '<details><summary>JSON Schema</summary>',
    '',
    jsonBlock(reply),
    '',
    '</details>',
    '',
    '### Receipt message',
    '',
    fieldTable('receipt', receipt),
    '',
    '<details><summary>JSON Schema</summary>',
    '',
    jsonBlock(receipt),
    '',
    '</details>',
  );
  return parts.join('\n');
}

/** The whole of docs/device-protocol.md. Pure and deterministic: same contracts, same text. */
export function renderDeviceProtocolDoc(): string {
  const sections = metricSections();
  const covered = new Set(EXAMPLE_READINGS.map((example) => example.reading.metric));
  const missing = METRICS.filter((metric) => !covered.has(metric));
  if (missing.length > 0) throw new Error(`generate-protocol-doc: no example reading for ${missing.join(', ')}; add one to EXAMPLE_READINGS`);

  const readingsTopic = deviceReadingsTopic('{deviceId}');
  const repliesTopic = deviceRepliesTopic('{deviceId}');
  const receiptsTopic = deviceReceiptsTopic('{deviceId}');
  const skew = formatDuration(MAX_FUTURE_SKEW_MS);

  const doc = [
    `# Device protocol ${DEVICE_PROTOCOL_VERSION}`,
    '',
    '<!-- Generated by scripts/generate-protocol-doc.ts from libs/contracts. Do not edit by hand: change the',
    '     schemas or the generator, then run `npm run docs:generate`. -->',
    '',
    'This is how a connected medical device (glucose meter, CGM, blood-pressure cuff, wearable, pulse oximeter)',
    'sends readings to the platform. It is written for device and firmware makers. The payload reference at the',
    'end is generated from the zod schemas the gateway validates with, so this page and the gateway cannot disagree.',
    '',
    '## Connecting',
    '',
    '- **Protocol**: MQTT 3.1.1 (protocol level 4) over TLS (`mqtts`, port 8883 by default) or plain TCP, to the',
    '  host and port the platform operator gives you. Over TLS, verify the server certificate against the CA the',
    '  operator gives you.',
    '- **Username**: the device id the platform registered for the device.',
    '- **Password**: the device secret issued with it. A wrong or missing username or password is refused with',
    '  CONNACK return code 4 (bad user name or password).',
    '- **Client id**: exactly the device id (the same as the username). Any other client id, an empty one',
    '  included, is refused with CONNACK return code 2 (identifier rejected): the session, with its queued',
    '  replies, belongs to the device, and no other client can take it over.',
    '- **Clean session**: `false`, for at-least-once delivery. The broker then keeps the session between',
    '  connections (the subscription to the replies topic, and QoS 1 replies queued while the device is offline),',
    "  and the device's MQTT library resends its unacknowledged readings after reconnecting.",
    '- **Keep alive**: any value your MQTT library uses; reconnect with back-off when the connection drops.',
    '',
    'For a quick test with `mosquitto_pub` (Debian package `mosquitto-clients`):',
    '',
    '```sh',
    `mosquitto_pub -h <host> -p <port> -V mqttv311 -q 1 -i my-device -u my-device -P '<device secret>' \\`,
    `  -t ${deviceReadingsTopic('my-device')} \\`,
    `  -m '${JSON.stringify(EXAMPLE_READINGS[0].reading)}'`,
    '```',
    '',
    '## Topics',
    '',
    '| topic | direction | QoS |',
    '|---|---|---|',
    `| \`${readingsTopic}\` | device publishes readings | 1 |`,
    `| \`${repliesTopic}\` | device subscribes; the gateway publishes replies | 1 |`,
    `| \`${receiptsTopic}\` | device subscribes (optional); the gateway publishes receipts | 1 |`,
    '',
    "`{deviceId}` is the device's own id, the username it connected with. A device may publish only to its own",
    'readings topic and subscribe only to its own replies and receipts topics:',
    '',
    "- publishing to any other topic (another device's, a typo, a wildcard) closes the connection without a PUBACK;",
    '- subscribing to any other topic is refused (SUBACK return code 0x80, failure).',
    '',
    'Readings are never forwarded to other MQTT clients, and retained flags on readings are ignored.',
    '',
    '## Publishing readings: QoS 1 and PUBACK',
    '',
    `Publish every reading at QoS 1 to \`${readingsTopic}\`, with the payload as UTF-8 JSON.`,
    '',
    '**A PUBACK means the reading is durably stored.** The gateway validates the message and writes its valid',
    'readings to disk before it sends the PUBACK. MQTT 3.1.1 has no negative acknowledgement, so when the gateway',
    'cannot store a message it closes the connection without sending the PUBACK. The device must then',
    'reconnect and send the message again (MQTT libraries do this for unacknowledged QoS 1 messages of a',
    "persistent session). Until a message is acknowledged, keep it in the device's memory.",
    '',
    'A PUBACK does not mean every reading was accepted: readings the gateway refuses (see "Replies and rejection',
    'codes") are acknowledged too, because sending them again would not help, and the refusal is reported on the',
    'replies topic. The gateway also limits how many messages per second and how large a message each device may',
    'send (operator settings, see docs/configuration.md): a device over its rate is disconnected without a PUBACK, and',
    'a message over the size limit closes the connection.',
    '',
    '## One reading or a batch',
    '',
    'A message is either a single reading:',
    '',
    jsonBlock(EXAMPLE_READINGS[2].reading),
    '',
    `or a batch, an object with a \`readings\` array of 1 to ${MAX_BATCH_SIZE} readings:`,
    '',
    '```json',
    '{ "readings": [ { "metric": "blood_pressure", ... }, { "metric": "blood_pressure", ... } ] }',
    '```',
    '',
    'Use batches for offline backfill: a device that could not connect sends what it kept in memory, oldest first,',
    `in batches of at most ${MAX_BATCH_SIZE}. A larger batch is refused whole with \`batch_too_large\`. Each item of a batch is`,
    'validated on its own: one bad reading is refused with its `index` in the reply, and the valid readings beside',
    'it are stored. A batch may mix metrics.',
    '',
    '## Timestamps',
    '',
    '- `measuredAt` is when the device took the reading, from the device clock, as ISO 8601 with a time zone:',
    '  `2026-11-22T07:30:00Z` or `2026-11-22T08:30:00+01:00`. Fractions of a second are allowed. A time without a',
    '  zone (`2026-11-22T07:30:00`) is refused with `invalid_payload`. The gateway stores it as an instant in UTC.',
    '- `receivedAt` is set by the gateway from its own clock when the message arrives; devices never send it.',
    `- A \`measuredAt\` more than ${skew} (${MAX_FUTURE_SKEW_MS} ms) later than the gateway's clock is a wrong device`,
    '  clock: the reading is refused with `future_timestamp`. Readings from the past are accepted back to',
    `  ${EARLIEST_MEASURED_AT}, so backfill after days offline works; an earlier \`measuredAt\` is a clock that was never`,
    '  set and is refused with `timestamp_too_old`. Together the two bounds keep every accepted reading inside what',
    '  every supported store can hold. Keep the device clock set (NTP, or the time from the paired phone).',
    '',
    renderUnits(sections),
    '',
    '## Duplicates and resending',
    '',
    'The same reading sent twice is stored once. Two readings are the same when they have the same device, `metric`,',
    '`measuredAt` (as an instant) and `seq` (a missing `seq` counts as one value). So a device may resend freely',
    "after a lost PUBACK or a reconnect. Send `seq`, the device's own record number (the Bluetooth SIG record",
    'sequence number where the device has one), so that two genuine readings taken in the same second are kept',
    'apart.',
    '',
    '## Replies and rejection codes',
    '',
    `When the gateway refuses one or more readings of a message, it publishes a reply on \`${repliesTopic}\` at`,
    'QoS 1. A message whose readings were all stored gets its PUBACK and no reply. Subscribe to the replies topic',
    'before publishing, so that, with a persistent session, replies are kept for the device while it is offline.',
    '',
    '- `status`: `partial` when some readings were stored and some refused, `rejected` when none was stored',
    '  (`accepted`, all stored, is defined by the schema but not sent in v1);',
    '- `accepted`: how many readings of the message were stored;',
    '- `rejected`: one entry per refused reading, with its `index` in the batch (0 for a single reading), a `code` a',
    '  device may branch on, and a `message` for a person reading device logs;',
    "- `receivedAt`: the gateway's clock, in UTC, when the message arrived.",
    '',
    'A reply does not name the message it answers. A device that needs to match replies to messages should keep',
    'one message in flight at a time.',
    '',
    '| code | meaning | what the device should do |',
    '|---|---|---|',
    ...REJECTION_CODES.map((rejection) => {
      const { meaning, action } = REJECTION_MEANINGS[rejection];
      return `| \`${rejection}\` | ${cell(meaning)} | ${cell(action)} |`;
    }),
    '',
    '## Receipts',
    '',
    `After the PUBACK (the readings are on the gateway's disk) the gateway moves them into the store. It then`,
    `publishes a receipt on \`${receiptsTopic}\` at QoS 1 saying how many of the device's readings were stored for`,
    'the first time (`storedNew`), how many the store already held and kept once (`alreadyStored`: a resend after a',
    'lost PUBACK, or history sent again), and how many the store refused for their content (`quarantined`, for the',
    'operator). One receipt covers what was stored for the device since its previous receipt, from one or more',
    'messages, within about a quarter of a second of the store write; `earliestMeasuredAt` and `latestMeasuredAt`',
    'bound the readings it covers. Receipts are informational: subscribe if you want them (a tool resending',
    'history uses them to report what deduplication absorbed); the PUBACK alone already means the readings are kept.',
    'An operator may turn receipts off (`DEVICE_RECEIPTS=off`).',
    '',
    renderPairing(),
    '',
    renderExamples(),
    '',
    renderReference(sections),
    '',
  ].join('\n');
  return doc;
}

// ---------------------------------------------------------------------------------------------------
// Command line.
// ---------------------------------------------------------------------------------------------------

/** Where the two texts first differ, for messages: "line N: expected ... found ...". */
export function firstDifference(expected: string, actual: string): string {
  const expectedLines = expected.split('\n');
  const actualLines = actual.split('\n');
  const count = Math.max(expectedLines.length, actualLines.length);
  for (let index = 0; index < count; index++) {
    if (expectedLines[index] !== actualLines[index]) {
      const show = (line: string | undefined) => (line === undefined ? '(end of file)' : JSON.stringify(line));
      return `line ${index + 1}: expected ${show(expectedLines[index])}, found ${show(actualLines[index])}`;
    }
  }
  return 'no difference';
}

/** The repository root: the nearest directory at or above `start` that holds a package.json. */
export function findRepoRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`generate-protocol-doc: no package.json at or above ${start}`);
    dir = parent;
  }
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`generate-protocol-doc: unknown argument ${unknown.join(' ')}; usage: generate-protocol-doc [--check]\n`);
    return 2;
  }
  const target = path.join(findRepoRoot(), DOC_RELATIVE_PATH);
  const rendered = renderDeviceProtocolDoc();
  if (argv.includes('--check')) {
    const onDisk = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (onDisk === rendered) {
      process.stdout.write(`${DOC_RELATIVE_PATH} is up to date\n`);
      return 0;
    }
    const detail = onDisk === undefined ? 'the file does not exist' : `first difference at ${firstDifference(rendered, onDisk)}`;
    process.stderr.write(`${DOC_RELATIVE_PATH} is out of date with libs/contracts (${detail}); ${REGENERATE_HINT}.\n`);
    return 1;
  }
  writeFileSync(target, rendered);
  process.stdout.write(`wrote ${DOC_RELATIVE_PATH}\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
