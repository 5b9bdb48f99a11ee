import { signInAddress } from './sign-in-address';

describe('the address a patient types to get a new link', () => {
  it.each([
    ['Anna.Muster@Example.org', { email: 'anna.muster@example.org' }],
    ['  anna@example.org ', { email: 'anna@example.org' }],
    ['+49 151 2345 6789', { phone: '+4915123456789' }],
    ['0049 (151) 2345-6789', { phone: '+4915123456789' }],
    ['+44 7700.900.123', { phone: '+447700900123' }],
    // The trunk zero written in brackets after the country code is not dialled: "+49 (0)151" is +49151.
    ['+49 (0)151 2345 6789', { phone: '+4915123456789' }],
    ['+44 (0) 7700 900123', { phone: '+447700900123' }],
    ['0033 (0)6 12 34 56 78', { phone: '+33612345678' }],
  ])('%j is %j', (typed, address) => expect(signInAddress(typed)).toEqual(address));

  it.each(['0151 23456789', '(0)151 23456789', '12345', 'anna@', '@example.org', 'anna@example', '+0 123 4567', 'not an address', ''])(
    '%j is no address (a local number cannot be matched safely)',
    (typed) => expect(signInAddress(typed)).toBeNull(),
  );
});
