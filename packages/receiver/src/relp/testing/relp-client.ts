import type { Socket } from "node:net";
import { until } from "../../../test/harness.js";
import { encodeRelpFrame, RelpParser, type RelpFrame } from "../relp-parser.js";

/** What librelp (omrelp) offers in its open command. */
export const OFFERS = "relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog";

/** A RELP client speaking raw frames and collecting the server's frames. */
export class Client {
  readonly frames: RelpFrame[] = [];
  private txnr = 0;
  private constructor(readonly socket: Socket) {
    const parser = new RelpParser(1 << 20, { frame: (f) => this.frames.push({ ...f, data: Buffer.from(f.data) }), error: (e) => this.frames.push({ txnr: -1, command: `error ${e.detail}`, data: Buffer.alloc(0), dataLen: 0 }) });
    socket.on("data", (c: Buffer) => parser.push(c));
    socket.on("error", () => undefined);
  }
  static async connect(socket: Promise<Socket>): Promise<Client> {
    return new Client(await socket);
  }
  send(command: string, data = "", txnr = ++this.txnr): void {
    this.socket.write(encodeRelpFrame(txnr, command, data));
  }
  async open(): Promise<void> {
    this.send("open", OFFERS);
    await this.waitFor(1);
  }
  rsp(txnr: number): string | undefined {
    const f = this.frames.find((x) => x.command === "rsp" && x.txnr === txnr);
    return f?.data.toString();
  }
  waitFor(count: number): Promise<void> {
    return until(() => this.frames.length >= count, 5_000, `${count} frames from the server`);
  }
  summary(): string[] {
    return this.frames.map((f) => `${f.txnr} ${f.command} ${f.data.toString().split("\n")[0]}`.trim());
  }
}
