import { readFileSync } from 'node:fs';
import path from 'node:path';
import { alertingVariables } from '../../apps/alerting/src/alerting.config';
import { apiVariables } from '../../apps/api/src/api.config';
import { gatewayVariables } from '../../apps/gateway/src/gateway.config';
import { launcherVariables } from '../../scripts/launcher.config';

const doc = readFileSync(path.resolve(__dirname, '../../docs/configuration.md'), 'utf8');

describe('docs/configuration.md', () => {
  it.each([
    ['npm start', launcherVariables],
    ['gateway', gatewayVariables],
    ['alerting', alertingVariables],
    ['api', apiVariables],
  ])('documents every variable the %s schema reads', (_name, variables) => {
    const undocumented = Object.keys(variables).filter((variable) => !doc.includes(`\`${variable}\``));
    expect(undocumented).toEqual([]);
  });
});
