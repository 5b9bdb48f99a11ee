import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RULES } from '@rpm/clinical';
import { renderRulesDoc } from './generate-rules-doc';

describe('docs/alert-rules.md', () => {
  it('is what the rule definitions render (run `npm run docs:generate` after changing a rule)', () => {
    expect(readFileSync(path.resolve(__dirname, '../docs/alert-rules.md'), 'utf8')).toBe(renderRulesDoc());
  });

  it('lists every default rule with its version', () => {
    for (const rule of DEFAULT_RULES) expect(renderRulesDoc()).toContain(`| \`${rule.id}\` v${rule.version} |`);
  });
});
