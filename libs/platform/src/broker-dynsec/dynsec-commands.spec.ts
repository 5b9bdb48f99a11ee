import { createDeviceCommands, deviceRoleAcls, isManagedDeviceClient, reconcilePlan, removeDeviceCommands } from './dynsec-commands';

describe('dynamic-security commands for devices', () => {
  it("gives a device's role its own readings to publish and its own replies and receipts to subscribe to, nothing else", () => {
    expect(deviceRoleAcls('bp-1')).toEqual([
      { acltype: 'publishClientSend', topic: 'rpm/v1/devices/bp-1/readings', allow: true },
      { acltype: 'subscribeLiteral', topic: 'rpm/v1/devices/bp-1/replies', allow: true },
      { acltype: 'publishClientReceive', topic: 'rpm/v1/devices/bp-1/replies', allow: true },
      { acltype: 'subscribeLiteral', topic: 'rpm/v1/devices/bp-1/receipts', allow: true },
      { acltype: 'publishClientReceive', topic: 'rpm/v1/devices/bp-1/receipts', allow: true },
    ]);
  });

  it('refuses an id that would escape its topic level (wildcards, separators)', () => {
    for (const id of ['a/b', '+', '#', '', 'x'.repeat(65)]) {
      expect(() => createDeviceCommands(id, 'secret')).toThrow(/not a device id/);
      expect(() => removeDeviceCommands(id)).toThrow(/not a device id/);
    }
  });

  it('counts as managed only a client holding the role named after itself', () => {
    expect(isManagedDeviceClient({ username: 'bp-1', roles: [{ rolename: 'rpm-device-bp-1' }] })).toBe(true);
    expect(isManagedDeviceClient({ username: 'bp-1', roles: [{ rolename: 'rpm-device-bp-2' }] })).toBe(false);
    expect(isManagedDeviceClient({ username: 'rpm-gateway', roles: [{ rolename: 'rpm-gateway' }] })).toBe(false);
    expect(isManagedDeviceClient({ username: 'admin' })).toBe(false);
  });

  it('plans to delete clients of inactive devices and reports active devices the broker lacks', () => {
    expect(reconcilePlan(['a', 'b', 'c'], ['b', 'c', 'd'])).toEqual({ remove: ['a'], missing: ['d'] });
    expect(reconcilePlan([], [])).toEqual({ remove: [], missing: [] });
  });
});
