import type { Socket } from "node:net";
import type { ReceiverEvents } from "../events.js";
import type { Sink } from "../sinks/sink.js";

/**
 * Global backpressure: once the sink reports that it holds more than its byte budget, every
 * connection stops reading after the chunk it is processing (so at most one read, i.e.
 * RECEIVER_SOCKET_READ_BYTES, per connection lands beyond the budget). TCP windows then fill
 * and senders' own queues hold the data. All paused sockets resume on the sink's "drain".
 */
export class FlowControl {
  private blocked = false;
  private readonly paused = new Set<Socket>();
  /** When paused sockets were last resumed (ms): until then, their silence was ours. */
  releasedAtMs = 0;
  private readonly onDrain = () => this.release();

  constructor(
    private readonly sink: Sink,
    private readonly events: ReceiverEvents,
  ) {
    sink.on("drain", this.onDrain);
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Called when sink.write returned false. */
  block(): void {
    if (this.blocked) return;
    this.blocked = true;
    this.events.backpressure(this.sink.pendingBytes);
  }

  /** Called after a chunk was processed: pauses the socket while the sink is over budget. */
  maybePause(socket: Socket): void {
    if (!this.blocked) return;
    socket.pause();
    this.paused.add(socket);
  }

  /**
   * When the sender on `socket` last showed it is alive, as far as we can tell: now while we
   * hold the socket paused (its data waits in TCP buffers, not on the sender), otherwise the
   * later of its last chunk and the last release. The drain uses it so that a connection
   * stalled by our own backpressure is never taken for a quiet sender and cut.
   */
  activeAtMs(socket: Socket, lastChunkMs: number, now: number): number {
    return this.paused.has(socket) ? now : Math.max(lastChunkMs, this.releasedAtMs);
  }

  forget(socket: Socket): void {
    this.paused.delete(socket);
  }

  private release(): void {
    this.blocked = false;
    this.releasedAtMs = Date.now();
    for (const socket of this.paused) if (!socket.destroyed) socket.resume();
    this.paused.clear();
  }

  dispose(): void {
    this.sink.off("drain", this.onDrain);
  }
}
