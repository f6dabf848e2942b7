// Replays the golden vectors (testdata/vectors) on the core module under
// the Extism JS SDK and checks every output byte for byte, and every error
// code and message, against what the native core recorded.
//
//   node hosts/node/test.mjs bin/apikeyrouter-core.wasm testdata/vectors

import { decode } from '@msgpack/msgpack';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import { AbiError, CompiledCore } from './core.mjs';

const [wasmPath, vectorDir] = process.argv.slice(2);
if (!wasmPath || !vectorDir) {
  console.error('usage: node test.mjs <core.wasm> <vector dir>');
  process.exit(2);
}

const text = (b) => (b === undefined ? '' : typeof b === 'string' ? b : new TextDecoder().decode(b));
const bytes = (b) => (b === undefined ? new Uint8Array(0) : new Uint8Array(b));

// The vector files are msgpack arrays of {op, in} and of {out, code,
// message}; only they are decoded here, never the core's own bytes.
async function loadVector(name) {
  const calls = decode(await readFile(join(vectorDir, `${name}.in.msgpack`)));
  const results = decode(await readFile(join(vectorDir, `${name}.out.msgpack`)));
  if (calls.length !== results.length) throw new Error(`${name}: ${calls.length} calls, ${results.length} results`);
  return { calls, results };
}

async function invoke(core, op, input) {
  try {
    switch (op) {
      case 'apply': return { out: await core.apply(input) };
      case 'route': return { out: await core.route(input) };
      case 'snapshot': return { out: await core.snapshot() };
      case 'restore': await core.restore(input); return { out: new Uint8Array(0) };
      case 'version': return { out: await core.version() };
      default: throw new Error(`unknown op ${op}`);
    }
  } catch (err) {
    if (err instanceof AbiError) return { code: err.code, message: err.abiMessage };
    throw err;
  }
}

const compiled = await CompiledCore.load(wasmPath);
const names = (await readdir(vectorDir)).filter((f) => f.endsWith('.in.msgpack')).map((f) => f.slice(0, -'.in.msgpack'.length)).sort();
if (names.length === 0) {
  console.error(`no vectors in ${vectorDir}`);
  process.exit(1);
}

let passed = 0;
let failed = 0;
for (const name of names) {
  const { calls, results } = await loadVector(name);
  const core = await compiled.instantiate();
  let failure = null;
  try {
    for (let i = 0; i < calls.length && !failure; i++) {
      const { op } = calls[i];
      const want = { out: bytes(results[i].out), code: text(results[i].code), message: text(results[i].message) };
      const got = await invoke(core, op, bytes(calls[i].in));
      const gotOut = got.out ?? new Uint8Array(0);
      if ((got.code ?? '') !== want.code || (got.message ?? '') !== want.message || Buffer.compare(gotOut, want.out) !== 0) {
        failure = `call ${i} (${op}):\n  got  code=${got.code ?? ''} msg=${JSON.stringify(got.message ?? '')} out=${Buffer.from(gotOut).toString('hex')}\n` +
          `  want code=${want.code} msg=${JSON.stringify(want.message)} out=${Buffer.from(want.out).toString('hex')}`;
      }
    }
  } finally {
    await core.close();
  }
  if (failure) {
    failed++;
    console.log(`FAIL ${name} (${calls.length} calls): ${failure}`);
  } else {
    passed++;
    console.log(`ok   ${name} (${calls.length} calls)`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
