import type { MqttClient } from 'mqtt';

/** Resolves on the client's first CONNACK; rejects on an error before it (bad credentials, say). */
export function connected(client: MqttClient): Promise<void> {
  if (client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onConnect = () => {
      client.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      client.off('connect', onConnect);
      client.end(true);
      reject(error);
    };
    client.once('connect', onConnect);
    client.once('error', onError);
  });
}
