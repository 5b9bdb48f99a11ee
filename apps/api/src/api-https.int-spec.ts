import { AppProcess } from '../../../test/support/app-process';
import { freePort } from '../../../test/support/free-port';
import { createTestCertificates, getOverTls, type TestCertificates } from '../../../test/support/test-certificates';
import { createTestDatabase } from '../../../test/support/test-services';

describe('API over HTTPS (TLS_CERT_FILE, TLS_KEY_FILE)', () => {
  let certs: TestCertificates;
  let api: AppProcess;
  let port: number;

  beforeAll(async () => {
    certs = createTestCertificates();
    port = await freePort();
    const env = {
      DATABASE_URL: await createTestDatabase(),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      TLS_CERT_FILE: certs.certFile,
      TLS_KEY_FILE: certs.keyFile,
    };
    api = await AppProcess.start('api', env, port);
  });

  afterAll(async () => {
    await api?.stop();
    certs?.remove();
  });

  it('answers over HTTPS with the configured certificate', async () => {
    const health = await getOverTls(`https://localhost:${port}/health`, certs.caFile);
    expect(health).toEqual({ status: 200, body: JSON.stringify({ status: 'ok' }) });
  });

  it('refuses plain HTTP on that port', async () => {
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
