/**
 * What a booting application has opened so far (the embedded database, the pool), so that a
 * start that fails half-way (a wrong embedding size, say) releases them instead of leaving the
 * data directory locked. Released last-opened first.
 */
export class BootResources {
  private readonly releases: (() => Promise<void>)[] = [];

  add(release: () => Promise<void>): void {
    this.releases.push(release);
  }

  async releaseAll(): Promise<void> {
    for (const release of this.releases.splice(0).reverse()) {
      await release().catch(() => undefined);
    }
  }
}
