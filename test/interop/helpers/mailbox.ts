/** Messages received, awaited one by one with a predicate. */
export class Mailbox<T> {
  private readonly items: T[] = [];
  private waiters: { match: (m: T) => boolean; resolve: (m: T) => void }[] = [];

  push(m: T): void {
    const i = this.waiters.findIndex((w) => w.match(m));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    else this.items.push(m);
  }

  /** Items not taken yet that `match` accepts (without taking them). */
  peek(match: (m: T) => boolean): T[] {
    return this.items.filter(match);
  }

  next(match: (m: T) => boolean = () => true, timeoutMs = 5000, what = 'message'): Promise<T> {
    const i = this.items.findIndex(match);
    if (i >= 0) return Promise.resolve(this.items.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w = {
        match,
        resolve: (m: T) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no ${what} arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }
}
