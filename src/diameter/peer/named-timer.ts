/** One restartable timer with a spec name (Tc, the state "Timeout" of RFC 6733 §5.6). */
export class NamedTimer {
  private handle: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly name: string) {}

  /** (Re)starts the timer. */
  set(ms: number, onExpiry: () => void): void {
    this.clear();
    this.handle = setTimeout(() => {
      this.handle = undefined;
      onExpiry();
    }, ms);
  }

  clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }

  get running(): boolean {
    return this.handle !== undefined;
  }
}
