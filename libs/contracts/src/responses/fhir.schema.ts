import { z } from 'zod';

const codingSchema = z.object({ system: z.string(), code: z.string(), display: z.string() });
const quantitySchema = z.object({ value: z.number(), unit: z.string(), system: z.string(), code: z.string() });
const referenceSchema = z.object({ reference: z.string() });

/** FHIR R4 Observation as the export writes it: LOINC codes, UCUM units. */
export const fhirObservationSchema = z.object({
  resourceType: z.literal('Observation'),
  id: z.string(),
  status: z.literal('final'),
  category: z.array(z.object({ coding: z.array(codingSchema) })),
  code: z.object({ coding: z.array(codingSchema), text: z.string() }),
  subject: referenceSchema,
  effectiveDateTime: z.string().optional(),
  effectivePeriod: z.object({ start: z.string(), end: z.string() }).optional().describe('Steps: the counting period.'),
  issued: z.string(),
  device: z.object({ display: z.string() }),
  valueQuantity: quantitySchema.optional(),
  component: z.array(z.object({ code: z.object({ coding: z.array(codingSchema) }), valueQuantity: quantitySchema })).optional(),
});

/** FHIR R4 Flag: an open alert. */
export const fhirFlagSchema = z.object({
  resourceType: z.literal('Flag'),
  id: z.string(),
  status: z.enum(['active', 'inactive']),
  category: z.array(z.object({ coding: z.array(codingSchema) })),
  code: z.object({ text: z.string() }),
  subject: referenceSchema,
  period: z.object({ start: z.string() }),
});

const searchBundleOf = <T extends z.ZodType>(resource: T) =>
  z.object({
    resourceType: z.literal('Bundle'),
    type: z.literal('searchset'),
    total: z.number().int(),
    entry: z.array(z.object({ fullUrl: z.string(), resource })),
  });

export const fhirObservationBundleSchema = searchBundleOf(fhirObservationSchema);
export const fhirFlagBundleSchema = searchBundleOf(fhirFlagSchema);
