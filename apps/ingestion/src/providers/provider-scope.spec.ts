import { providerMayPost } from './provider-scope';

describe('provider scope', () => {
  const hookA = { id: 'hook-a', workspaceId: 'ws-a' };
  const hookB = { id: 'hook-b', workspaceId: 'ws-b' };

  it('lets an organization-wide provider post wherever its allowed list says (empty: everywhere)', () => {
    expect(providerMayPost({ workspaceIds: null, allowedWebhookIds: [] }, hookA)).toBe(true);
    expect(providerMayPost({ workspaceIds: null, allowedWebhookIds: [] }, hookB)).toBe(true);
    expect(providerMayPost({ workspaceIds: null, allowedWebhookIds: ['hook-a'] }, hookB)).toBe(false);
  });

  it("reads an empty allowed list as every webhook of the provider's workspaces, not of the organization", () => {
    const scoped = { workspaceIds: ['ws-a'], allowedWebhookIds: [] };
    expect(providerMayPost(scoped, hookA)).toBe(true);
    expect(providerMayPost(scoped, hookB)).toBe(false);
  });

  it('refuses a webhook outside the workspaces even when it is on the allowed list (it moved)', () => {
    expect(providerMayPost({ workspaceIds: ['ws-a'], allowedWebhookIds: ['hook-b'] }, hookB)).toBe(false);
  });
});
