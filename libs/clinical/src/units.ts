/**
 * Unit conversion factors. Sources: docs/clinical-references.md "Units and codes".
 * The rounded mg/dL is what is stored and shown; classification never uses it: readings are judged in the
 * unit they were measured in, against the published pair for that unit (summaries/cgm-summary.ts glucoseBand,
 * threshold rules), since 10.0 mmol/L converts to 180.16 mg/dL, above the 180 mg/dL it corresponds to.
 * 1 mmol/L glucose = 18.0156 mg/dL (molar mass of glucose 180.156 g/mol); 1 kPa = 7.50062 mmHg.
 */
export const MG_DL_PER_MMOL_L = 18.0156;
export const MMHG_PER_KPA = 7.50062;

const roundTo = (value: number, decimals: number): number => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

export const mmolPerLToMgPerDl = (mmolPerL: number): number => roundTo(mmolPerL * MG_DL_PER_MMOL_L, 1);
export const kPaToMmHg = (kPa: number): number => roundTo(kPa * MMHG_PER_KPA, 1);
