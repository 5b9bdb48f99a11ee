import { patientPageTextSchema } from '@rpm/contracts';
import { PATIENT_PAGE_TEXT, patientPageText } from './patient-page-text';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe("the patient page's texts per language", () => {
  it.each(Object.keys(PATIENT_PAGE_TEXT))('%s has every text of the contract, none empty', (language) => {
    const table = PATIENT_PAGE_TEXT[language as keyof typeof PATIENT_PAGE_TEXT];
    expect(patientPageTextSchema.parse(table)).toEqual(table);
    for (const [key, text] of Object.entries(table)) expect([key, text.trim().length > 0]).toEqual([key, true]);
  });

  it.each(['de', 'fr'])('%s fills in the same values as English in each text', (language) => {
    const table = PATIENT_PAGE_TEXT[language as 'de' | 'fr'];
    for (const [key, english] of Object.entries(PATIENT_PAGE_TEXT.en)) {
      expect([key, placeholders(table[key as keyof typeof table])]).toEqual([key, placeholders(english)]);
    }
  });

  it.each([
    ['de', 'de', 'Ihre Gesundheit zu Hause'],
    ['fr', 'fr', 'Votre santé à la maison'],
    ['en', 'en', 'Your health at home'],
    ['es', 'en', 'Your health at home'],
    ['', 'en', 'Your health at home'],
    ['toString', 'en', 'Your health at home'],
    // A language tag as browsers and Accept-Language write it: its primary language, whatever the case.
    ['de-CH', 'de', 'Ihre Gesundheit zu Hause'],
    ['fr_BE', 'fr', 'Votre santé à la maison'],
    ['DE', 'de', 'Ihre Gesundheit zu Hause'],
    ['es-ES', 'en', 'Your health at home'],
  ])('a patient whose language is %j reads the page in %s', (recorded, language, title) => {
    expect(patientPageText(recorded)).toEqual(expect.objectContaining({ language, text: expect.objectContaining({ title }) }));
  });
});
