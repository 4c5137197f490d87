// An omrelp-like RELP sender for bench/firehose/relp-window.sh: plain RELP, at most WINDOW
// syslog commands unanswered (like omrelp's windowSize), for SECONDS; prints the answered rate.
// Usage: node relp-window.mjs PORT WINDOW SECONDS [SIZE]
import { connect } from 'node:net';
import { encodeRelpFrame, RelpParser } from '../../packages/receiver/dist/relp/relp-parser.js';

const [port, window, seconds, size = 300] = process.argv.slice(2).map(Number);
const socket = connect({ host: '127.0.0.1', port });
socket.setNoDelay(true); // as librelp does: answers and commands are small frames
const pad = 'x'.repeat(Math.max(0, size - 60));
let txnr = 0, answered = 0, sent = 0, open = false;
const end = Date.now() + seconds * 1000;
setTimeout(() => { console.error('relp-window: no end after seconds+30'); process.exit(2); }, (seconds + 30) * 1000).unref();

function pump() {
  if (!open) return;
  if (Date.now() > end) {
    if (answered === sent) {
      console.log(`window=${window} answered=${answered} seconds=${seconds} rate=${(answered / seconds).toFixed(0)}`);
      socket.destroy();
    }
    return;
  }
  const frames = [];
  while (sent - answered < window) frames.push(encodeRelpFrame(++txnr, 'syslog', `<134>1 2026-11-23T10:00:00.123Z web01 app 42 - - relp ${sent++} ${pad}`));
  if (frames.length > 0) socket.write(Buffer.concat(frames));
}
const parser = new RelpParser(1 << 20, {
  frame: (f) => {
    if (f.command !== 'rsp') return;
    if (f.txnr === 1) open = true;
    else if (f.data.toString().startsWith('200')) answered++;
    else { console.error(`relp-window: ${f.data}`); process.exit(1); }
    pump();
  },
  error: (e) => { console.error(`relp-window: ${e.detail}`); process.exit(1); },
});
socket.on('data', (c) => parser.push(c));
socket.on('error', (e) => { console.error(`relp-window: ${e.message}`); process.exit(1); });
socket.write(encodeRelpFrame(++txnr, 'open', 'relp_version=0\nrelp_software=relp-window\ncommands=syslog'));
