// Receiver hot path benchmark: the per-connection pipeline after TLS decryption, i.e. the real
// Connection (framer → parseFrame → serialise → sink) fed 16 KiB chunks of the shared
// benchmark's messages (tls-gen.mjs: 300-byte octet-counted RFC 5424 lines with a BOM) into a
// FileSink on /dev/null. Reports CPU per message over the whole process (all threads: GC
// helpers and the libuv pool that does the writes count, as in the end-to-end benchmark).
//
//   pnpm --filter @aws-syslog/record --filter @aws-syslog/receiver build
//   taskset -c 1 node packages/receiver/bench/hot-path.bench.mjs [node flags are honoured]
//   BENCH_CONNS=8 BENCH_MESSAGES=3000000 BENCH_REPS=5 taskset -c 1 node ...
//
// TLS costs are out of scope here (see /work/shared/bench for the end-to-end figures).
import { EventEmitter } from "node:events";
import { pino } from "pino";
import { ReceiverEvents } from "../dist/events.js";
import { Connection } from "../dist/listener/connection.js";
import { FlowControl } from "../dist/listener/flow-control.js";
import { Registry } from "../dist/metrics.js";
import { FileSink } from "../dist/sinks/file.js";

const conns = Number(process.env.BENCH_CONNS ?? 8);
const messages = Number(process.env.BENCH_MESSAGES ?? 2_000_000);
const reps = Number(process.env.BENCH_REPS ?? 5);
const CHUNK_BYTES = 16 * 1024; // one TLS record's worth, as the socket delivers it
const CHUNKS_PER_TURN = 4;

/** tls-gen.mjs's frame for one connection (seq digits patched per message). */
function frames(thread, count) {
  const ts = "2026-11-23T12:00:00+00:00";
  const body = `<38>1 ${ts} bench-host prg${String(thread).padStart(5, "0")} 4242 - - \uFEFFseq: 0000000000, thread: ${String(thread).padStart(4, "0")}, runid: 1763899200, stamp: ${ts.slice(0, 19)} `;
  let b = Buffer.from(body);
  const seqAt = b.indexOf("seq: ") + 5;
  const pad = 300 - b.length - 1;
  b = Buffer.concat([b, Buffer.from("PADD".repeat(Math.ceil(pad / 4)).slice(0, pad) + "\n")]);
  const frame = Buffer.concat([Buffer.from(`${b.length} `), b]);
  const at = seqAt + `${b.length} `.length;
  const out = Buffer.allocUnsafe(frame.length * count);
  for (let i = 0; i < count; i++) {
    frame.copy(out, i * frame.length);
    out.write(String(i).padStart(10, "0"), i * frame.length + at, "latin1");
  }
  return out;
}

class FakeSocket extends EventEmitter {
  destroyed = false;
  setTimeout() {}
  pause() {}
  resume() {}
  end() {}
  destroy() {}
}

const events = new ReceiverEvents(pino({ level: "silent" }), new Registry());
const perConn = Math.ceil(messages / conns);
const streams = Array.from({ length: conns }, (_, i) => frames(i, perConn));

async function run() {
  const sink = await FileSink.open("/dev/null", events, 8 * 1024 * 1024);
  const flow = new FlowControl(sink, events);
  const deps = { sink, events, flow, parseOptions: { defaultTimeZone: "UTC" }, maxFrameBytes: 65536, oversizePolicy: "truncate", idleTimeoutMs: 0 };
  const sockets = streams.map((_, i) => {
    const socket = new FakeSocket();
    new Connection(socket, { listener: "tls", sourceIp: "127.0.0.1", sourcePort: 40000 + i, tlsPeer: null }, { listener: "tls", remoteAddress: "127.0.0.1", remotePort: 40000 + i }, deps, () => {});
    return socket;
  });
  const t0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  let at = 0;
  const len = streams[0].length;
  while (at < len) {
    for (let k = 0; k < CHUNKS_PER_TURN && at < len; k++, at += CHUNK_BYTES) {
      for (let c = 0; c < conns; c++) sockets[c].emit("data", streams[c].subarray(at, at + CHUNK_BYTES));
    }
    // Let the sink store (and drain) as the event loop would between socket reads.
    await new Promise((r) => setImmediate(r));
    if (flow.isBlocked) await new Promise((r) => sink.once("drain", r));
  }
  await sink.close();
  const cpu = process.cpuUsage(t0);
  const wallMs = Number(process.hrtime.bigint() - w0) / 1e6;
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

const results = [];
for (let i = 0; i < reps; i++) {
  const r = await run();
  const total = perConn * conns;
  results.push({ nsPerMsg: (r.cpuMs * 1e6) / total, msgsPerCpuS: Math.round(total / (r.cpuMs / 1000)), wallMs: Math.round(r.wallMs) });
}
results.sort((a, b) => a.nsPerMsg - b.nsPerMsg);
const median = results[Math.floor(results.length / 2)];
console.log(JSON.stringify({ conns, messages: perConn * conns, median, all: results.map((r) => Math.round(r.nsPerMsg)), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
