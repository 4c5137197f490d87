// Feeds COUNT numbered RFC 5424 lines (LF-terminated, about SIZE bytes each, loggen-shaped) to a
// plain TCP port (the rsyslog sender's imtcp input) as fast as the socket takes them.
//   node feed.mjs --port P --count N [--size 300]
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, count: { type: 'string' }, size: { type: 'string', default: '300' } } });
const port = Number(values.port), count = Number(values.count), size = Number(values.size);
if (!(port > 0 && count > 0 && size >= 100)) {
  console.error('usage: node feed.mjs --port P --count N [--size >=100]');
  process.exit(2);
}
const head = '<134>1 2026-11-23T12:00:00.000000+00:00 bench-host relp-bench 4242 ID47 - ';
const line = (i) => {
  const text = `${head}seq=${String(i).padStart(9, '0')} `;
  return `${text}${'x'.repeat(Math.max(0, size - text.length - 1))}\n`;
};
const PER_WRITE = 200;
const socket = connect({ host: '127.0.0.1', port }, () => {
  let i = 1;
  const pump = () => {
    while (i <= count) {
      let chunk = '';
      for (let k = 0; k < PER_WRITE && i <= count; k++, i++) chunk += line(i);
      if (!socket.write(chunk)) return socket.once('drain', pump);
    }
    socket.end();
  };
  pump();
});
socket.on('error', (err) => {
  console.error(`feed: ${err.message}`);
  process.exit(1);
});
socket.on('close', () => process.exit(0));
