import { csvField, toCsv } from './dashboard-csv';

describe('CSV fields: RFC 4180 quoting, and no formula a spreadsheet would run', () => {
  it.each([
    ['plain', 'plain'],
    ['Smith, Jane', '"Smith, Jane"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTab', "'\tTab"],
    ['Ann-Marie', 'Ann-Marie'],
  ])('%j is written %s', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes numbers as numbers (a negative one too), null as empty, and ends every row with CRLF', () => {
    expect(
      toCsv([
        ['a', -1.5, null],
        ['b', 2, 'c'],
      ]),
    ).toBe('a,-1.5,\r\nb,2,c\r\n');
  });
});
