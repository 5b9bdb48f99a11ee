import { DEFAULT_PATHWAYS, DIABETES_V1, HYPERTENSION_V1, MENTAL_HEALTH_V1 } from '../pathways/default-pathways';
import { continuedSilence, detectSilence, silenceAction, type DeviceUploads, type Silence } from './silence';

const DAY = 86_400_000;
const now = new Date('2026-03-01T08:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);
/** `count` readings spread evenly over the last `overDays` days (the newest just before now). */
const spread = (count: number, overDays: number) => Array.from({ length: count }, (_, n) => new Date(now.getTime() - ((n + 0.5) * overDays * DAY) / count));
const device = (kind: string, readingTimes: Date[], extra: Partial<DeviceUploads> = {}): DeviceUploads => ({
  deviceId: `${kind}-1`,
  kind,
  pairedAt: ago(60),
  readingTimes,
  lastReadingAt: readingTimes.length ? new Date(Math.max(...readingTimes.map((at) => at.getTime()))) : null,
  ...extra,
});

describe('detectSilence: each device against its own cadence over its pathway window', () => {
  const cases: { name: string; devices: DeviceUploads[]; silent: string[]; since?: string }[] = [
    { name: 'a CGM at its cadence (288 a day) is not silent', devices: [device('cgm', spread(3 * 288, 3))], silent: [] },
    // 3 days of a CGM: 864 expected; 10% is 86.4.
    { name: 'a CGM with 87 readings in 3 days (10.1%) is not silent', devices: [device('cgm', spread(87, 3))], silent: [] },
    { name: 'a CGM with 86 readings in 3 days (9.95%) is silent', devices: [device('cgm', spread(86, 3))], silent: ['cgm'] },
    {
      name: 'a CGM silent for 3 days: no readings since its last one',
      devices: [device('cgm', [], { lastReadingAt: ago(3.5) })],
      silent: ['cgm'],
      since: ago(3.5).toISOString(),
    },
    {
      name: 'a CGM silent for the last 2.5 days of 3 (144 readings) is not silent yet',
      devices: [
        device(
          'cgm',
          spread(864, 3).filter((at) => at < ago(2.5)),
        ),
      ],
      silent: [],
    },
    // A cuff: 2 a day over 7 days, 14 expected; 10% is 1.4: one reading a week is silent, two are not.
    { name: 'a cuff with 2 readings in 7 days is not silent', devices: [device('blood_pressure_cuff', spread(2, 7))], silent: [] },
    { name: 'a cuff with 1 reading in 7 days is silent', devices: [device('blood_pressure_cuff', spread(1, 7))], silent: ['blood_pressure_cuff'] },
    {
      name: 'a cuff silent for 6 days is not yet silent (its window is 7)',
      devices: [device('blood_pressure_cuff', [ago(6.5), ago(6.6)])],
      silent: [],
    },
    {
      name: 'a cuff paired 5 days ago that never sent is not judged yet',
      devices: [device('blood_pressure_cuff', [], { pairedAt: ago(5) })],
      silent: [],
    },
    {
      name: 'a cuff paired 8 days ago that never sent: no readings since its pairing',
      devices: [device('blood_pressure_cuff', [], { pairedAt: ago(8) })],
      silent: ['blood_pressure_cuff'],
      since: ago(8).toISOString(),
    },
    { name: 'a hub has no cadence and is never judged', devices: [device('hub', [])], silent: [] },
    {
      name: 'one silent device of two is enough; "since" is the latest reading of the silent ones',
      devices: [device('cgm', spread(864, 3)), device('blood_pressure_cuff', [], { lastReadingAt: ago(9) })],
      silent: ['blood_pressure_cuff'],
      since: ago(9).toISOString(),
    },
    {
      name: 'two silent devices: "since" is the later of their last readings',
      devices: [device('cgm', [], { lastReadingAt: ago(4) }), device('blood_pressure_cuff', [], { lastReadingAt: ago(10) })],
      silent: ['cgm', 'blood_pressure_cuff'],
      since: ago(4).toISOString(),
    },
  ];
  it.each(cases)('$name', ({ devices, silent, since }) => {
    const silence = detectSilence(DIABETES_V1, devices, now);
    expect(silence?.devices.map((found) => found.kind) ?? []).toEqual(silent);
    if (since) expect(silence?.since.toISOString()).toBe(since);
  });

  it('says when and which device in the reason the nurse reads', () => {
    const silence = detectSilence(HYPERTENSION_V1, [device('blood_pressure_cuff', [], { lastReadingAt: new Date('2026-02-20T19:00:00Z') })], now);
    expect(silence?.reason).toBe('check on the patient: no readings since 2026-02-20 (blood pressure cuff 0 of 14 expected in 7 days)');
  });

  it('reads the windows from the pathway data: a pathway without them judges nothing', () => {
    const silent = [device('cgm', [], { lastReadingAt: ago(20) })];
    expect(detectSilence(MENTAL_HEALTH_V1, silent, now)).not.toBeNull();
    expect(detectSilence({ ...MENTAL_HEALTH_V1, silence: undefined }, silent, now)).toBeNull();
    expect(detectSilence({ ...DIABETES_V1, silence: { afterDays: { wearable: 3 }, belowPercent: 10 } }, silent, now)).toBeNull();
  });
});

it('every default pathway judges CGM and wearables over 3 days and cuffs, meters and oximeters over 7, within the 14 days the assessment reads', () => {
  for (const template of DEFAULT_PATHWAYS) {
    expect([template.id, template.silence]).toEqual([
      template.id,
      { afterDays: { cgm: 3, wearable: 3, blood_pressure_cuff: 7, glucose_meter: 7, pulse_oximeter: 7 }, belowPercent: 10 },
    ]);
  }
});

describe('silenceAction: raised once per silence, and again while it outlasts the contact', () => {
  const cuff = { deviceId: 'cuff', kind: 'blood_pressure_cuff', days: 7, expected: 14, received: 0, lastReadingAt: ago(9) };
  const silence: Silence = { since: ago(9), devices: [cuff], reason: 'check on the patient' };
  const both: Silence = { ...silence, devices: [cuff, { ...cuff, deviceId: 'cgm', kind: 'cgm', days: 3, expected: 864 }] };
  it.each([
    { name: 'silent, nothing on record: raise', silence, raised: false, closed: null, action: 'raise' },
    { name: 'silent, raised and its item still open: nothing, the next day either', silence, raised: true, closed: null, action: null },
    { name: 'silent, item closed by a contact 6.9 days ago (7-day window): nothing yet', silence, raised: true, closed: ago(6.9), action: null },
    {
      name: 'silent, item closed by a contact 7 days ago: raised again (the call did not bring readings)',
      silence,
      raised: true,
      closed: ago(7),
      action: 'raise',
    },
    {
      name: 'a 3-day CGM and a 7-day cuff silent, contact 3 days ago: the shorter window decides',
      silence: both,
      raised: true,
      closed: ago(3),
      action: 'raise',
    },
    { name: 'readings back after a raise: record that they resumed', silence: null, raised: true, closed: null, action: 'resumed' },
    { name: 'readings back after the contact closed the item: resumed', silence: null, raised: true, closed: ago(2), action: 'resumed' },
    { name: 'readings flowing, nothing on record: nothing', silence: null, raised: false, closed: null, action: null },
  ])('$name', ({ silence: found, raised, closed, action }) => {
    expect(silenceAction(found, { raisedAndNotResumed: raised, closedByContactAt: closed }, now)).toBe(action);
  });
});

describe('continuedSilence: a silence outlasting the span the assessment reads keeps its "since"', () => {
  const cuff = { deviceId: 'cuff', kind: 'blood_pressure_cuff', days: 7, expected: 14, received: 0, lastReadingAt: null };
  const seenSincePairing: Silence = { since: ago(300), devices: [cuff], reason: 'check on the patient: no readings since 2025-05-05 (...)' };
  it('takes the recorded last reading when the devices now look silent since their pairing', () => {
    const continued = continuedSilence(seenSincePairing, ago(40));
    expect(continued.since).toEqual(ago(40));
    expect(continued.reason).toBe('check on the patient: no readings since 2026-01-20 (blood pressure cuff 0 of 14 expected in 7 days)');
  });
  it('keeps a later "since" (a few readings came after the recorded one), and nothing on record changes nothing', () => {
    expect(continuedSilence({ ...seenSincePairing, since: ago(20) }, ago(40)).since).toEqual(ago(20));
    expect(continuedSilence(seenSincePairing, null)).toBe(seenSincePairing);
  });
});
