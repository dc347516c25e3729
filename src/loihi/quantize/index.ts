/** The quantiser of the Loihi family: the lowered float graph → Lava's fixed-point integer model. */
export { quantizeLoihi } from "./quantize-loihi.ts";
export { quantizeSynapticForm } from "./quantize-synaptic-form.ts";
export {
  pulseName,
  synapticForm,
  type RealConnection,
  type RealConv,
  type RealDense,
  type RealDiagonal,
  type RealPopulation,
  type RealPulse,
  type RealSynapse,
  type SynapticForm,
} from "./synaptic-form.ts";
export { inputRangeOf } from "./input-encoding.ts";
export {
  netxCheck,
  netxDenseRangeProblem,
  netxNetworkOf,
  netxStructure,
  type NetxCheck,
  type NetxNetwork,
} from "./netx-constraints.ts";
export type * from "./quantize-types.ts";
