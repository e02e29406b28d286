/** A short per-organization memory of recent events, for SSE clients that reconnect with Last-Event-ID. */
export class ReplayBuffer<T extends { id: string }> {
  private readonly byOrganization = new Map<string, T[]>();

  constructor(private readonly capacity: number) {}

  add(organizationId: string, item: T): void {
    if (this.capacity === 0) return;
    let items = this.byOrganization.get(organizationId);
    if (!items) this.byOrganization.set(organizationId, (items = []));
    items.push(item);
    if (items.length > this.capacity) items.splice(0, items.length - this.capacity);
  }

  /**
   * What came after `lastId`, in arrival order. An id no longer (or never) held falls back to
   * time order: ids are UUID v7, so everything newer than the last one the client saw is sent.
   */
  after(organizationId: string, lastId: string): T[] {
    const items = this.byOrganization.get(organizationId) ?? [];
    const index = items.findIndex((i) => i.id === lastId);
    return index >= 0 ? items.slice(index + 1) : items.filter((i) => i.id > lastId);
  }
}
