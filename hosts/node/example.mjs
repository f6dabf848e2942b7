// A runnable example: load the core, register a provider, a model and
// three keys, route a request, report its outcome, route again.
//
//   node hosts/node/example.mjs bin/apikeyrouter-core.wasm

import { decode, encode } from '@msgpack/msgpack';
import { CompiledCore } from './core.mjs';

const wasmPath = process.argv[2] ?? 'bin/apikeyrouter-core.wasm';

// Messages are MessagePack maps whose first field is the ABI version "v";
// times are Unix nanoseconds (BigInt: they exceed 2^53).
const V = 1;
const msg = (obj) => encode(obj, { useBigInt64: true, ignoreUndefined: true });
const nanos = () => BigInt(Date.now()) * 1_000_000n;

const read = (bytes) => decode(bytes, { useBigInt64: true });
// show renders a decoded output for people (enum names arrive as bytes).
const show = (obj) =>
  JSON.stringify(obj, (_, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? new TextDecoder().decode(v) : v), 2);

const core = await (await CompiledCore.load(wasmPath)).instantiate();
try {
  console.log('version', show(read(await core.version())));
  const now = nanos();
  await core.apply(msg({ v: V, now, provider: { id: 'openai' } }));
  await core.apply(msg({ v: V, now, model: { provider: 'openai', name: 'gpt-4o-mini', price: { input: 150_000, output: 600_000 }, context_window: 128_000 } }));
  for (const [id, weight] of [['oa-1', 1], ['oa-2', 2], ['oa-3', 1]]) {
    await core.apply(msg({ v: V, now, key: { id, provider: 'openai', weight } }));
  }

  const decision = read(await core.route(msg({ v: V, now: nanos(), model: 'gpt-4o-mini', input_tokens: 1200, max_output_tokens: 300 })));
  console.log('decision', show(decision));

  // The attempt succeeded: report its outcome (result "success" is the default).
  const effects = await core.apply(msg({ v: V, now: nanos(), outcome: { attempt: decision.attempt, status: 200, usage: { input: 1180, output: 250 }, latency_us: 420_000 } }));
  console.log('effects', show(read(effects)));

  const next = await core.route(msg({ v: V, now: nanos(), model: 'gpt-4o-mini', input_tokens: 50, exclude: [decision.key] }));
  console.log('next decision', show(read(next)));
} finally {
  await core.close();
}
