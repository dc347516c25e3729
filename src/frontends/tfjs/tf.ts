/**
 * The one place the TF.js frontend imports TensorFlow.js. Weight decoding must be TF.js's own
 * (`tf.io.decodeWeights`), so the library is used rather than re-implemented. Only TF.js's core and
 * its CPU backend are loaded (decoding creates tensors, which need a backend): the full
 * `@tensorflow/tfjs` bundle (layers, converter, WebGL) would add seconds to every start.
 *
 * Production mode keeps TF.js from printing its Node.js backend advice on stderr the first time a
 * tensor is created; the reader only decodes weights, where the extra debug checks bring nothing.
 */
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";

tf.enableProdMode();

export { tf };
