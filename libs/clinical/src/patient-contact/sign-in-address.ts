/**
 * What a patient typed to get a new link: an e-mail address (compared without case) or a mobile number, which
 * is compared in E.164 as the contact record stores it (+ country code, no spaces). Spaces, dots, dashes and
 * brackets are dropped (a bracketed trunk zero, "+49 (0)151", with its digit) and a leading 00 becomes +. A
 * number without its country code cannot be matched safely (the same local number exists in every country), so
 * it is not an address.
 */
export type SignInAddress = { email: string } | { phone: string };

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{1,63}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

export function signInAddress(typed: string): SignInAddress | null {
  const value = typed.trim();
  if (value.includes('@')) return EMAIL.test(value) && value.length <= 254 ? { email: value.toLowerCase() } : null;
  // "+49 (0)151 ...": the bracketed trunk zero after the country code is never dialled internationally.
  const phone = value
    .replace(/\(\s*0\s*\)/g, '')
    .replace(/[\s.\-()/]/g, '')
    .replace(/^00/, '+');
  return E164.test(phone) ? { phone } : null;
}
