import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ApiModule } from '../../apps/api/src/api.module';
import type { ApiConfig } from '../../apps/api/src/api.config';
import { ApiClient } from '../support/api-client';
import { createClinic, type ClinicFixture } from '../support/fixtures';
import { PlatformProcess } from '../support/platform-process';
import { createTestDatabase } from '../support/test-services';

interface Route {
  method: string;
  path: string;
}

/** Every route of the API, read from the controllers' own metadata, so a new route is covered unasked. */
function routeTable(): Route[] {
  const controllers = (ApiModule.forConfig({} as ApiConfig).controllers ?? []) as Type[];
  return controllers.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    return Object.getOwnPropertyNames(controller.prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => controller.prototype[name])
      .filter((handler) => typeof handler === 'function' && Reflect.getMetadata(PATH_METADATA, handler) !== undefined)
      .map((handler) => ({
        method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod],
        path: `/${[base, String(Reflect.getMetadata(PATH_METADATA, handler))].filter((part) => part && part !== '/').join('/')}`,
      }));
  });
}

describe('every patient route answers 404 for a patient outside the caller’s care teams', () => {
  let platform: PlatformProcess;
  let patient: ClinicFixture;
  let stranger: ApiClient;
  const patientRoutes = routeTable().filter((route) => route.path.includes(':patientId'));

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    platform = await PlatformProcess.start({ DATABASE_URL: databaseUrl, DEMO_SEED: 'false' });
    patient = await createClinic(databaseUrl, 'guarded');
    const outsider = await createClinic(databaseUrl, 'stranger');
    stranger = await ApiClient.login(platform.httpUrl, outsider.doctor.email, outsider.doctor.password);
  });
  afterAll(() => platform?.stop());

  it('reads the route table', () => {
    expect(patientRoutes.length).toBeGreaterThanOrEqual(15);
  });

  it.each(routeTable().filter((route) => route.path.includes(':patientId')).map((route) => [route.method, route.path]))('%s %s', async (method, path) => {
    const url = path
      .replace(':patientId', patient.patientId)
      .replace(/:(alertId|visitId)/, '00000000-0000-4000-8000-000000000000')
      .replace(':deviceId', patient.device.deviceId)
      .replace(':ruleId', 'glucose.level2_hypo')
      .replace(':changeId', '1');
    const response = await fetch(`${platform.httpUrl}${url}`, {
      method,
      headers: { authorization: stranger.authorization, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : '{}',
    });
    expect(response.status).toBe(404);
  });
});
