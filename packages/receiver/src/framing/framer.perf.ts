/**
 * Framer throughput, a hand benchmark (not a test). ~100 MB of 300-byte frames in 16 KiB chunks
 * (frames straddle chunk boundaries as on a real socket), each framing, best of 5 runs, CPU time:
 *
 *   pnpm tsc --outDir /tmp/framer-perf --module nodenext --target es2022 --types node \
 *     packages/receiver/src/framing/framer.perf.ts
 *   echo '{"type":"module"}' > /tmp/framer-perf/package.json && node /tmp/framer-perf/framer.perf.js
 *
 * Results and the machine they came from are recorded in the commit that changes the hot path.
 */
import { Framer } from "./framer.js";

const FRAME_BYTES = 300;
const CHUNK_BYTES = 16 * 1024;
const TOTAL_BYTES = 100 * 1024 * 1024;

function message(i: number): Buffer {
  const head = `<134>1 2026-11-23T11:44:53.123Z host-${i % 97} app 1234 ID47 - `;
  return Buffer.from(head + "x".repeat(FRAME_BYTES - head.length));
}

function stream(framing: "octet-counting" | "non-transparent"): { data: Buffer; frames: number } {
  const parts: Buffer[] = [];
  let size = 0;
  let frames = 0;
  while (size < TOTAL_BYTES) {
    const m = message(frames++);
    const framed = framing === "octet-counting" ? Buffer.concat([Buffer.from(`${m.length} `), m]) : Buffer.concat([m, Buffer.from("\n")]);
    parts.push(framed);
    size += framed.length;
  }
  return { data: Buffer.concat(parts), frames };
}

/** CPU time (user + system) rather than wall time: the machine this runs on is shared, and
 * time spent descheduled is not the framer's. */
function run(data: Buffer): { ms: number; frames: number; bytes: number } {
  let frames = 0;
  let bytes = 0;
  const framer = new Framer(
    { maxFrameBytes: 65536, oversize: "truncate" },
    {
      frame: (f) => {
        frames++;
        bytes += f.length;
      },
      event: () => {},
    },
  );
  const t0 = process.cpuUsage();
  for (let at = 0; at < data.length; at += CHUNK_BYTES) framer.push(data.subarray(at, at + CHUNK_BYTES));
  framer.end();
  const t = process.cpuUsage(t0);
  return { ms: (t.user + t.system) / 1000, frames, bytes };
}

for (const framing of ["non-transparent", "octet-counting"] as const) {
  const { data, frames } = stream(framing);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const r = run(data);
    if (r.frames !== frames || r.bytes !== frames * FRAME_BYTES) throw new Error(`lost frames: ${r.frames}/${frames}`);
    best = Math.min(best, r.ms);
  }
  const mbps = data.length / 1e6 / (best / 1000);
  const nsPerFrame = (best * 1e6) / frames;
  console.log(`${framing}: ${(data.length / 1e6).toFixed(0)} MB, ${frames} frames, ${best.toFixed(1)} ms CPU: ${mbps.toFixed(0)} MB/s, ${nsPerFrame.toFixed(1)} ns/frame, ${(frames / (best / 1000) / 1e6).toFixed(2)} M frames/s`);
}
