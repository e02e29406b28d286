// jest's node environment, with the host's typed-array constructors. Native addons (ONNX Runtime
// for the in-process embedder) create and check typed arrays with the host realm's classes;
// jest's sandbox has its own, so `instanceof Float32Array` failed across the two.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class HostTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = HostTypedArraysEnvironment;
