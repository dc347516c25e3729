/**
 * Normalisations and the readout of the `ai.snnc` domain → IR nodes: TdBN, BNTT, TEBN, TAB,
 * PSPNorm ([C] per channel, [T, C] per step; TEBN's p [T] or [T, C]) and Readout ("mean"
 * default). ε defaults to 1e-5. Parameters of a flattened C×H×W activation follow its feature
 * order (values.ts).
 */
import { tensor, type Tensor } from "../../ir/tensor.ts";
import type { Converter, NodeCtx } from "./context.ts";
import { channelParam } from "./elementwise-ops.ts";
import { dimsStr, permute, type ActVal } from "./values.ts";

const SNN_EPS = 1e-5;

/** A per-step, per-channel parameter [T, C] (rows in the IR's feature order). */
function stepParam(c: NodeCtx, i: number, what: string, a: ActVal): Tensor {
  const p = c.param(i, what);
  const C = a.dims[1]!;
  if (p.dims.length !== 2 || p.dims[1] !== C) {
    c.fail("E_WEIGHT", `${what} '${p.name}' has shape ${dimsStr(p.dims)}, expected [T,${C}] (steps, channels)`, what);
  }
  const T = p.dims[0]!;
  if (a.dims.length === 4 || !a.perm) return tensor([T, C], p.data);
  const out = new Float64Array(T * C);
  for (let t = 0; t < T; t++) out.set(permute(p.data.subarray(t * C, (t + 1) * C), a.perm), t * C);
  return tensor([T, C], out);
}

function normInput(c: NodeCtx, n: number, attrs: string[]): ActVal {
  c.arity(n);
  c.attrs.only(attrs);
  return c.act(0, "X");
}

export const tdbn: Converter = (c) => {
  const x = normInput(c, 5, ["alpha", "v_threshold", "epsilon"]);
  return c.emit(
    {
      op: "tdbn",
      inputs: [x.id],
      alpha: c.attrs.float("alpha"),
      vth: c.attrs.float("v_threshold"),
      epsilon: c.attrs.float("epsilon", SNN_EPS),
      gamma: channelParam(c, 1, "gamma", x),
      beta: channelParam(c, 2, "beta", x),
      mean: channelParam(c, 3, "moving_mean", x),
      variance: channelParam(c, 4, "moving_variance", x),
    },
    [...x.dims],
    { perm: x.perm },
  );
};

export const bntt: Converter = (c) => {
  const x = normInput(c, 4, ["timesteps", "epsilon"]);
  return c.emit(
    {
      op: "bntt",
      inputs: [x.id],
      timesteps: c.attrs.int("timesteps"),
      epsilon: c.attrs.float("epsilon", SNN_EPS),
      gamma: stepParam(c, 1, "gamma", x),
      mean: stepParam(c, 2, "moving_mean", x),
      variance: stepParam(c, 3, "moving_variance", x),
    },
    [...x.dims],
    { perm: x.perm },
  );
};

export const tebn: Converter = (c) => {
  const x = normInput(c, 6, ["timesteps", "epsilon"]);
  const raw = c.param(5, "p");
  const p = raw.dims.length === 1 ? tensor([...raw.dims], raw.data) : stepParam(c, 5, "p", x);
  return c.emit(
    {
      op: "tebn",
      inputs: [x.id],
      timesteps: c.attrs.int("timesteps"),
      epsilon: c.attrs.float("epsilon", SNN_EPS),
      gamma: channelParam(c, 1, "gamma", x),
      beta: channelParam(c, 2, "beta", x),
      mean: channelParam(c, 3, "moving_mean", x),
      variance: channelParam(c, 4, "moving_variance", x),
      p,
    },
    [...x.dims],
    { perm: x.perm },
  );
};

export const tab: Converter = (c) => {
  const x = normInput(c, 5, ["timesteps", "epsilon"]);
  return c.emit(
    {
      op: "tab",
      inputs: [x.id],
      timesteps: c.attrs.int("timesteps"),
      epsilon: c.attrs.float("epsilon", SNN_EPS),
      gammaHat: stepParam(c, 1, "gamma_hat", x),
      betaHat: stepParam(c, 2, "beta_hat", x),
      meanAcc: stepParam(c, 3, "moving_mean_acc", x),
      varAcc: stepParam(c, 4, "moving_var_acc", x),
    },
    [...x.dims],
    { perm: x.perm },
  );
};

export const pspNorm: Converter = (c) => {
  c.attrs.only(["mode", "lambda"]);
  const mode = c.attrs.oneOf("mode", ["bn", "ln"]);
  c.arity(mode === "bn" ? 3 : 1);
  const x = c.act(0, "X");
  const lambda = c.attrs.float("lambda");
  const body = { op: "pspnorm" as const, inputs: [x.id], mode, lambda };
  const extra = { perm: x.perm };
  if (mode === "ln") return c.emit(body, [...x.dims], extra);
  const gamma = channelParam(c, 1, "gamma", x);
  return c.emit({ ...body, gamma, sqMean: channelParam(c, 2, "moving_sq_mean", x) }, [...x.dims], extra);
};

export const readout: Converter = (c) => {
  c.arity(1);
  c.attrs.only(["mode"]);
  const x = c.act(0, "X");
  const mode = c.attrs.oneOf("mode", ["mean", "sum"], "mean");
  return c.emit({ op: "readout", inputs: [x.id], mode }, [...x.dims], { perm: x.perm });
};
