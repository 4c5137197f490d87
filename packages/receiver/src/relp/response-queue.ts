/**
 * RELP responses in transaction order. Each command reserves its place when it is read; its
 * `rsp` goes out once it and every earlier one are answered. librelp clients would accept
 * responses in any order, but in-order responses make "acked" a prefix of what was sent, which
 * is what a sender's resend after a crash assumes, and they let one write carry many `rsp`.
 */
export interface ReadyResponse {
  txnr: number;
  body: string;
}

interface Entry {
  txnr: number;
  body: string | null;
}

export class ResponseQueue {
  private entries: Entry[] = [];
  private head = 0;

  constructor(
    /** Receives every run of responses that became sendable, oldest first. */
    private readonly deliver: (ready: ReadyResponse[]) => void,
  ) {}

  /** Commands read and not yet answered (the RELP window this connection holds). */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** Reserves the slot for `txnr`; call the result once with the response body. */
  reserve(txnr: number): (body: string) => void {
    const entry: Entry = { txnr, body: null };
    this.entries.push(entry);
    let answered = false;
    return (body: string) => {
      if (answered) return;
      answered = true;
      entry.body = body;
      this.flush();
    };
  }

  private flush(): void {
    const ready: ReadyResponse[] = [];
    while (this.head < this.entries.length) {
      const e = this.entries[this.head]!;
      if (e.body === null) break;
      ready.push({ txnr: e.txnr, body: e.body });
      this.head++;
    }
    if (ready.length === 0) return;
    // Compact once the consumed prefix dominates, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.deliver(ready);
  }
}
