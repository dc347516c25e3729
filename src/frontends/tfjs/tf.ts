/**
 * The one place the TF.js frontend imports TensorFlow.js, loaded only for a model with quantised
 * weights: their decoding must be TF.js's own (`tf.io.decodeWeights`), so the library is used
 * rather than re-implemented. Only TF.js's core and
 * its CPU backend are loaded (decoding creates tensors, which need a backend): the full
 * `@tensorflow/tfjs` bundle (layers, converter, WebGL) would add seconds to every start.
 *
 * Production mode keeps TF.js from printing its Node.js backend advice on stderr the first time a
 * tensor is created; the reader only decodes weights, where the extra debug checks bring nothing.
 *
 * Both packages are CommonJS and are loaded with `require`: imported as ES modules, each of their
 * files would be scanned for its exports first, which takes Node.js longer than loading them.
 */
import { createRequire } from "node:module";
import type * as TF from "@tensorflow/tfjs-core";

const require = createRequire(import.meta.url);
require("@tensorflow/tfjs-backend-cpu");
const tf = require("@tensorflow/tfjs-core") as typeof TF;
tf.enableProdMode();

/** `TF`: the library's types (`TF.io.WeightsManifestEntry`, …). */
export { tf, type TF };
