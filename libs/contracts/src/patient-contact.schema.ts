import { z } from 'zod';

/** How a patient can be reached: SMS gateway, e-mail, IM/app push (webhook), voice call. */
export const patientChannelSchema = z.enum(['sms', 'email', 'webhook', 'voice']);
export type PatientChannel = z.infer<typeof patientChannelSchema>;

/** Languages the patient messages exist in (libs/clinical/src/patient-contact/patient-messages.ts). */
export const patientLanguageSchema = z.enum(['en', 'de', 'fr']);

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour, the patient’s local time)');

export const patientContactSchema = z
  .object({
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +447700900123')
      .nullable(),
    email: z.email().nullable(),
    /** In order of preference; a failed channel falls back to the next. */
    channels: z
      .array(patientChannelSchema)
      .max(4)
      .refine((list) => new Set(list).size === list.length, 'must not repeat a channel'),
    language: patientLanguageSchema,
    /** No message between these local times (may span midnight); both or neither. */
    quietHours: z.object({ start: clockTime, end: clockTime }).nullable(),
  })
  .superRefine((contact, ctx) => {
    for (const channel of contact.channels) {
      if ((channel === 'sms' || channel === 'voice') && !contact.phone)
        ctx.addIssue({ code: 'custom', path: ['phone'], message: `is required for ${channel}` });
      if (channel === 'email' && !contact.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'is required for email' });
    }
  });
export type PatientContact = z.infer<typeof patientContactSchema>;

export const patientContactResponseSchema = z.object({
  phone: z.string().nullable(),
  email: z.string().nullable(),
  channels: z.array(patientChannelSchema),
  language: patientLanguageSchema,
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
  timeZone: z.string(),
  updatedAt: z.iso.datetime().nullable(),
});

export const consentScopeSchema = z.enum(['remote_monitoring', 'contact_channels', 'data_sharing']);
export type ConsentScope = z.infer<typeof consentScopeSchema>;

export const recordConsentRequestSchema = z.object({ scope: consentScopeSchema, note: z.string().max(1000).optional() });
export type RecordConsentRequest = z.infer<typeof recordConsentRequestSchema>;
export const withdrawConsentRequestSchema = z.object({ scope: consentScopeSchema, note: z.string().max(1000).optional() });
export type WithdrawConsentRequest = z.infer<typeof withdrawConsentRequestSchema>;

export const consentSchema = z.object({
  id: z.string(),
  scope: consentScopeSchema,
  givenAt: z.iso.datetime(),
  recordedBy: z.string(),
  withdrawnAt: z.iso.datetime().nullable(),
  withdrawnBy: z.string().nullable(),
  note: z.string().nullable(),
});
/** Every consent row, newest first: the history, and which scopes are in force now. */
export const consentsResponseSchema = z.object({ active: z.array(consentScopeSchema), history: z.array(consentSchema) });

/** What a patient's signed link answers. */
export const patientLinkResponseSchema = z.object({
  action: z.enum(['confirm', 'reschedule']),
  dueAt: z.iso.datetime(),
  recorded: z.boolean(),
});

/** POST /p/sign-in: the mobile number (with country code) or e-mail address the patient's care team has on record. */
export const patientSignInRequestSchema = z
  .object({
    address: z
      .string()
      .trim()
      .min(3)
      .max(254)
      .refine((text) => !text.includes('\u0000'), 'must not contain the NUL character (\\u0000)'),
  })
  .strict();
export type PatientSignInRequest = z.infer<typeof patientSignInRequestSchema>;
