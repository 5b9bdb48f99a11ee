/**
 * Unit conversion factors. Sources: CLINICAL.md "Units and codes".
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
