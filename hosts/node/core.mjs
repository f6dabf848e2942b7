// The ApiKeyRouter core (apikeyrouter-core.wasm) in Node.js, through its
// Extism exports. Every call takes and returns the core's MessagePack
// messages as bytes (see abi/README.md); calls run one at a time.

import createPlugin from '@extism/extism';
import { readFile } from 'node:fs/promises';

/** A failed ABI call: the input was malformed, of another version, too large … */
export class AbiError extends Error {
  /**
   * @param {string} code the snake_case abi.Code name, e.g. "malformed"
   * @param {string} message
   */
  constructor(code, message) {
    super(`abi: ${code}: ${message}`);
    this.name = 'AbiError';
    this.code = code;
    this.abiMessage = message;
  }
}

// The Extism SDK reports a guest's error as "Plugin-originated error: " and
// the text the guest set, which for the core is "abi: <code>: <message>".
const guestError = /^Plugin-originated error: abi: ([a-z_0-9]+): ([\s\S]*)$/;

/**
 * Compiles a core module once; {@link CompiledCore#instantiate} then makes
 * independent cores from it.
 */
export class CompiledCore {
  #module;

  /** @param {WebAssembly.Module} module */
  constructor(module) {
    this.#module = module;
  }

  /**
   * @param {string} wasmPath the core module, e.g. bin/apikeyrouter-core.wasm
   * @returns {Promise<CompiledCore>}
   */
  static async load(wasmPath) {
    return new CompiledCore(await WebAssembly.compile(await readFile(wasmPath)));
  }

  /** @returns {Promise<Core>} a new, empty core */
  async instantiate() {
    const plugin = await createPlugin({ wasm: [{ module: this.#module }] }, { useWasi: true, runInWorker: false });
    return new Core(plugin);
  }
}

/** One core: a module instance that owns the routing state. */
export class Core {
  #plugin;
  #queue = Promise.resolve();

  /** @param {import('@extism/extism').Plugin} plugin */
  constructor(plugin) {
    this.#plugin = plugin;
  }

  /** @param {Uint8Array} event an encoded abi.Event @returns {Promise<Uint8Array>} abi.Effects */
  apply(event) {
    return this.#call('apply', event);
  }

  /** @param {Uint8Array} request an encoded abi.RouteRequest @returns {Promise<Uint8Array>} abi.Decision */
  route(request) {
    return this.#call('route', request);
  }

  /** @returns {Promise<Uint8Array>} the encoded abi.Snapshot of the state */
  snapshot() {
    return this.#call('snapshot');
  }

  /** Replaces the state with an encoded abi.Snapshot. @param {Uint8Array} snapshot */
  async restore(snapshot) {
    await this.#call('restore', snapshot);
  }

  /** @returns {Promise<Uint8Array>} the encoded abi.VersionInfo */
  version() {
    return this.#call('version');
  }

  /** Releases the instance. */
  close() {
    return this.#plugin.close();
  }

  /**
   * Calls an export with an exact-size copy of the input (the SDK must not
   * see a pooled Buffer's neighbours), after the calls before it.
   */
  #call(name, input) {
    const run = async () => {
      let out;
      try {
        out = await this.#plugin.call(name, input === undefined ? undefined : Uint8Array.from(input));
      } catch (err) {
        const m = guestError.exec(err?.message ?? '');
        if (m) throw new AbiError(m[1], m[2]);
        throw err;
      }
      return out === null ? new Uint8Array(0) : Uint8Array.from(out.bytes());
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }
}
