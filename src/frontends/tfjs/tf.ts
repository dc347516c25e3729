/**
 * The one place the TF.js frontend imports TensorFlow.js. Weight decoding must be TF.js's own
 * (`tf.io.decodeWeights`), so the library is used rather than re-implemented.
 *
 * Production mode keeps TF.js from printing its Node.js backend advice on stderr the first time a
 * tensor is created; the reader only decodes weights, where the extra debug checks bring nothing.
 */
import * as tf from "@tensorflow/tfjs";

tf.enableProdMode();

export { tf };
