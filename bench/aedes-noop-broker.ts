import { Aedes } from 'aedes';
import { createServer } from 'node:net';

/**
 * The peer: aedes with no authentication, no validation and no storage, acknowledging as fast as it can.
 * Run as its own process: node dist/bench/aedes-noop-broker.js PORT
 */
async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const broker = await Aedes.createBroker({ maxClientsIdLength: 128 });
  createServer({ noDelay: true }, (socket) => broker.handle(socket)).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
}

void main();
