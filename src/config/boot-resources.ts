/**
 * What a booting application has opened so far (the embedded database, the pool), so that a
 * start that fails half-way (a wrong embedding size, say) releases them instead of leaving the
 * data directory locked. Released last-opened first.
 */
export class BootResources {
  private readonly releases: (() => Promise<void>)[] = [];
  private released = false;

  add(release: () => Promise<void>): void {
    // A provider still starting when another one failed the boot opens its resource after the
    // release: close it at once, or it would keep the process (and the data directory) busy.
    if (this.released) {
      void release().catch(() => undefined);
      return;
    }
    this.releases.push(release);
  }

  async releaseAll(): Promise<void> {
    this.released = true;
    for (const release of this.releases.splice(0).reverse()) {
      await release().catch(() => undefined);
    }
  }
}
