import { Inject, Injectable, Logger, ServiceUnavailableException, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DEVICE_ID_PATTERN } from '@rpm/contracts';
import { DeviceRepository } from '@rpm/persistence';
import {
  DynsecClient,
  PgListener,
  createDeviceCommands,
  isAlreadyGone,
  isAlreadyThere,
  isManagedDeviceClient,
  reconcilePlan,
  removeDeviceCommands,
  resetDeviceCommands,
  type DynsecClientEntry,
  type DynsecResponse,
} from '@rpm/platform';
import { API_CONFIG, type ApiConfig } from '../api.config';

const PAGE = 500;
const DYNSEC_TIMEOUT_MS = 5000;

export interface ReconcileOutcome {
  removed: number;
  missing: string[];
  failed: number;
}

/**
 * Keeps Mosquitto's dynamic-security plugin in step with the devices in PostgreSQL when BROKER_DYNSEC=on
 * (docs/deployment.md, "External broker mode"):
 *  - a new credential reaches the broker inside the request that issued it, before the device row
 *    commits, since only that request ever holds the plain secret (PostgreSQL keeps a hash);
 *  - a revoked or deleted device (NOTIFY device_revoked from the devices trigger) loses its broker client,
 *    which also disconnects it;
 *  - at start, after the LISTEN reconnects and after the broker connection comes back, managed clients
 *    of devices no longer active are deleted, and active devices without a client are reported.
 * Without BROKER_DYNSEC every method is a no-op.
 */
@Injectable()
export class BrokerCredentials implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BrokerCredentials.name);
  private readonly dynsec?: DynsecClient;
  private readonly listener?: PgListener;
  private reconciling?: Promise<ReconcileOutcome>;
  private reconcileAgain = false;
  /** Longer than a registration can hold its transaction open waiting for the broker (DynsecClient's timeout). */
  private readonly unknownGraceMs = 2 * DYNSEC_TIMEOUT_MS;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
  ) {
    if (!config.brokerDynsec) return;
    this.dynsec = new DynsecClient({ ...config.brokerDynsec, timeoutMs: DYNSEC_TIMEOUT_MS });
    this.listener = new PgListener({
      connectionString: config.databaseUrl,
      channel: 'device_revoked',
      logger: this.logger,
      onNotification: (deviceId) => void this.remove(deviceId),
      onListening: () => void this.reconcileSoon(),
    });
  }

  get enabled(): boolean {
    return this.dynsec !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.dynsec || !this.listener) return;
    this.dynsec.onConnect(() => void this.reconcileSoon());
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
    await this.reconciling?.catch(() => undefined);
    await this.dynsec?.close();
  }

  /** Gives the broker the device's new credential; throws 503 (the caller's transaction rolls back) if it cannot. */
  async provision(deviceId: string, secret: string): Promise<void> {
    if (!this.dynsec) return;
    try {
      const created = await this.dynsec.send(createDeviceCommands(deviceId, secret));
      const [role, client] = created;
      if (role.error && !isAlreadyThere(role)) throw new Error(`createRole: ${role.error}`);
      if (client.error) {
        if (!isAlreadyThere(client)) throw new Error(`createClient: ${client.error}`);
        const reset = await this.dynsec.send(resetDeviceCommands(deviceId, secret));
        const failed = reset.find((response) => response.error && !isAlreadyThere(response));
        if (failed) throw new Error(`${failed.command}: ${failed.error}`);
      }
    } catch (error) {
      this.logger.error({ message: 'broker did not take the new device credential; nothing was registered', deviceId, error: (error as Error).message });
      throw new ServiceUnavailableException('the MQTT broker did not take the device credential; try again');
    }
  }

  /** Deletes the device's broker client and role; a connected device is disconnected by the broker. */
  async remove(deviceId: string): Promise<boolean> {
    if (!this.dynsec) return false;
    try {
      const responses = await this.dynsec.send(removeDeviceCommands(deviceId));
      const failed = responses.find((response) => response.error && !isAlreadyGone(response));
      if (failed) throw new Error(`${failed.command}: ${failed.error}`);
      this.logger.log({ message: 'device removed from the broker', deviceId });
      return true;
    } catch (error) {
      // The next reconciliation (broker reconnect, LISTEN reconnect or restart) deletes it.
      this.logger.error({ message: 'could not remove a device client from the broker', deviceId, error: (error as Error).message });
      return false;
    }
  }

  /** Runs a reconciliation now, or once more after the one running. */
  reconcileSoon(): Promise<ReconcileOutcome> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return this.reconciling;
    }
    const run = async (): Promise<ReconcileOutcome> => {
      let outcome: ReconcileOutcome;
      do {
        this.reconcileAgain = false;
        outcome = await this.reconcile().catch((error: Error) => {
          this.logger.error({ message: 'broker reconciliation failed; it runs again on the next reconnect', error: error.message });
          return { removed: 0, missing: [], failed: 1 };
        });
      } while (this.reconcileAgain);
      return outcome;
    };
    this.reconciling = run().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async reconcile(): Promise<ReconcileOutcome> {
    if (!this.dynsec) return { removed: 0, missing: [], failed: 0 };
    const managed = await this.managedClients();
    const active: string[] = [];
    for (let after = '', page: string[]; (page = await this.devices.activeIdsPage(after, PAGE)).length > 0; after = page[page.length - 1]) {
      active.push(...page);
    }
    const plan = reconcilePlan(managed, active);
    const toRemove = await this.confirmRemovals(plan.remove);
    let removed = 0;
    let failed = 0;
    // One device at a time: a client the broker refuses to delete is logged and skipped, not fatal.
    for (const deviceId of toRemove) {
      if (await this.remove(deviceId)) removed += 1;
      else failed += 1;
    }
    if (plan.missing.length > 0) {
      this.logger.warn({
        message: 'active devices have no broker client (their secret is stored hashed only): re-pair them or register new credentials',
        count: plan.missing.length,
        deviceIds: plan.missing.slice(0, 20),
      });
    }
    this.logger.log({ message: 'broker clients reconciled with devices', managed: managed.length, active: active.length, removed, failed });
    return { removed, missing: plan.missing, failed };
  }

  /**
   * A revoked device's client goes at once. A client with no device row at all may belong to a
   * registration whose transaction has not committed yet (the broker hears of it first): it goes only if
   * there is still no active device once that transaction must have ended.
   */
  private async confirmRemovals(candidates: string[]): Promise<string[]> {
    if (candidates.length === 0) return [];
    const first = await this.devices.statusOf(candidates);
    const revoked = candidates.filter((id) => first.known.has(id) && !first.active.has(id));
    // A username no registration could have issued is not waited for (its removal fails and is counted).
    const malformed = candidates.filter((id) => !DEVICE_ID_PATTERN.test(id));
    const unknown = candidates.filter((id) => !first.known.has(id) && DEVICE_ID_PATTERN.test(id));
    if (unknown.length === 0) return [...revoked, ...malformed];
    await new Promise((resolve) => setTimeout(resolve, this.unknownGraceMs));
    const second = await this.devices.statusOf(unknown);
    return [...revoked, ...malformed, ...unknown.filter((id) => !second.active.has(id))];
  }

  /** Usernames of the clients this platform manages, read page by page (listClients, verbose for roles). */
  private async managedClients(): Promise<string[]> {
    const managed: string[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const [response] = await this.dynsec!.send([{ command: 'listClients', verbose: true, count: PAGE, offset }]);
      if (response.error) throw new Error(`listClients: ${response.error}`);
      const clients = ((response as DynsecResponse & { data?: { clients?: unknown[] } }).data?.clients ?? []) as DynsecClientEntry[];
      for (const client of clients) {
        // A malformed entry (no username, odd roles) is skipped, not fatal.
        if (typeof client?.username === 'string' && Array.isArray(client.roles ?? []) && isManagedDeviceClient(client)) managed.push(client.username);
      }
      if (clients.length < PAGE) return managed;
    }
  }
}
