export default async function globalTeardown(): Promise<void> {
  const servers = globalThis.rpmTestServers;
  await Promise.all([servers?.influxd?.stop(), servers?.postgres.stop()]);
}
