import { kPaToMmHg, MG_DL_PER_MMOL_L, MMHG_PER_KPA, mmolPerLToMgPerDl } from './units';

// Expected values are the exact product with the docs/clinical-references.md factor, rounded half-up to 0.1 by hand.
const GLUCOSE_FACTOR = 'docs/clinical-references.md "Units and codes": 1 mmol/L = 18.0156 mg/dL';
const PRESSURE_FACTOR = 'docs/clinical-references.md "Units and codes": 1 kPa = 7.50062 mmHg';

describe('conversion factors (docs/clinical-references.md "Units and codes")', () => {
  it('glucose: 1 mmol/L = 18.0156 mg/dL (molar mass 180.156 g/mol), not Nightscout 18 or xDrip 18.0182', () => {
    expect(MG_DL_PER_MMOL_L).toBe(18.0156);
  });

  it('pressure: 1 kPa = 7.50062 mmHg', () => {
    expect(MMHG_PER_KPA).toBe(7.50062);
  });
});

describe('mmolPerLToMgPerDl', () => {
  it.each([
    // mmol/L, mg/dL (exact product -> rounded), source
    [0, 0, GLUCOSE_FACTOR],
    [1, 18.0, GLUCOSE_FACTOR], // 18.0156
    [2.99, 53.9, 'ADA Standards of Care s.6: just under level 2 hypo 3.0 mmol/L'], // 53.866644
    [3.0, 54.0, 'ADA Standards of Care s.6: level 2 hypo 3.0 mmol/L / 54 mg/dL'], // 54.0468
    [3.88, 69.9, 'ADA Standards of Care s.6: just under level 1 hypo'], // 69.900528
    [3.89, 70.1, 'ADA Standards of Care s.6: below 3.9 mmol/L yet converts above 70 mg/dL'], // 70.080684
    [3.9, 70.3, 'ADA Standards of Care s.6: level 1 hypo 3.9 mmol/L / 70 mg/dL'], // 70.26084
    [5.5, 99.1, GLUCOSE_FACTOR], // 99.0858
    [6.2, 111.7, GLUCOSE_FACTOR], // 111.69672
    [10.0, 180.2, 'ADA/EASD 2021: level 1 hyper 10.0 mmol/L / 180 mg/dL'], // 180.156
    [13.9, 250.4, 'ADA/EASD 2021: level 2 hyper 13.9 mmol/L / 250 mg/dL'], // 250.41684
    [33.3, 599.9, 'Umpierrez, Diabetes Care 2024: HHS range 600 mg/dL'], // 599.91948
    [55.5, 999.9, GLUCOSE_FACTOR], // 999.8658
  ] as const)('%s mmol/L -> %s mg/dL (%s)', (mmolPerL, mgPerDl, _source) => {
    expect(mmolPerLToMgPerDl(mmolPerL)).toBe(mgPerDl);
  });

  it.each([0.1, 0.55, 2.2, 3.89, 7.77, 12.34, 27.7, 41.05])('%s mmol/L is the factor product rounded to 0.1 mg/dL (%#)', (mmolPerL) => {
    const converted = mmolPerLToMgPerDl(mmolPerL);
    expect(Math.abs(converted - mmolPerL * 18.0156)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Number.isInteger(Math.round(converted * 10 * 1e6) / 1e6)).toBe(true);
  });
});

describe('kPaToMmHg', () => {
  it.each([
    // kPa, mmHg (exact product -> rounded), source
    [0, 0, PRESSURE_FACTOR],
    [1, 7.5, PRESSURE_FACTOR], // 7.50062
    [10.7, 80.3, '2017 ACC/AHA: stage 1 diastolic 80 mmHg'], // 80.256634
    [10.9, 81.8, PRESSURE_FACTOR], // 81.756758
    [13.3, 99.8, PRESSURE_FACTOR], // 99.758246
    [16, 120.0, '2017 ACC/AHA: normal systolic < 120 mmHg'], // 120.00992
    [17.1, 128.3, PRESSURE_FACTOR], // 128.260602
    [24, 180.0, '2017 ACC/AHA: hypertensive crisis systolic > 180 mmHg'], // 180.01488
    [40, 300.0, PRESSURE_FACTOR], // 300.0248
  ] as const)('%s kPa -> %s mmHg (%s)', (kPa, mmHg, _source) => {
    expect(kPaToMmHg(kPa)).toBe(mmHg);
  });

  it.each([0.3, 2.6, 5.3, 12.25, 18.8, 26.7, 40.1])('%s kPa is the factor product rounded to 0.1 mmHg (%#)', (kPa) => {
    const converted = kPaToMmHg(kPa);
    expect(Math.abs(converted - kPa * 7.50062)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Number.isInteger(Math.round(converted * 10 * 1e6) / 1e6)).toBe(true);
  });
});
