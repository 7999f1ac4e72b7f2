// The mqtt.js side of tests/test_faults.py's comparison: one case, printed
// as "EVENTS ..." (argv: url, reconnectPeriod, ms, reconnectOnConnackError 0/1)
const mqtt = require('mqtt');
const [url, rp, ms, retry] = process.argv.slice(2);
const c = mqtt.connect(url, {reconnectPeriod: +rp, reconnectOnConnackError: retry === '1'});
const ev = [];
for (const e of ['connect', 'reconnect', 'close', 'offline', 'error'])
  c.on(e, (x) => ev.push(e + (e === 'error' ? '(' + x.code + ')' : '')));
setTimeout(() => { c.end(true); console.log('EVENTS ' + ev.join(' ')); process.exit(0); }, +ms);
