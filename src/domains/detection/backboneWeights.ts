/**
 * The detector's backbone weights, read from the bundled MobileNetV2 int8 ONNX file (Apache-2.0, see
 * assets/models/README.md) with onnx-proto and dequantized to float32, so the Python trainer can rebuild the same
 * network in torch (python/backbone.py) without an ONNX package. Only the layers up to the last stride-16 block are
 * kept: the detection head reads stride-8 and stride-16 feature maps.
 *
 * Each QLinearConv becomes a float conv (w = (q − zero point) · scale, per channel or per tensor; b = int32 bias ·
 * input scale · weight scale) followed by ReLU6, except the 1×1 projection after a depthwise conv (MobileNetV2's
 * linear bottleneck; quantization folded BN and ReLU6 into the conv and its output range). QLinearAdd becomes an add.
 */
import { readFile } from 'node:fs/promises';
import type { onnx } from 'onnx-proto';
import { AppError } from '../../core/errors.ts';
import { loadOnnxProto } from '../images/pixels/exportOnnx.ts';

export type BackboneOp =
  | { op: 'conv'; x: string; y: string; cin: number; cout: number; k: number; group: number; stride: number; pad: number; relu: boolean; w: number; b: number }
  | { op: 'add'; a: string; b: string; y: string };

export interface BackboneSpec {
  /** The tensor the (normalised, NCHW float) image enters as. */
  input: string;
  ops: BackboneOp[];
  /** Block outputs by stride: the head reads taps['8'] and taps['16']. */
  taps: Record<string, string>;
  channels: Record<string, number>;
}

const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6;

function failed(message: string): AppError {
  return new AppError('DETECTION_TRAIN_FAILED', `Cannot read the backbone: ${message}`, {
    problems: [{ field: 'backbone', problem: message, fix: 'Restore assets/models/mobilenetv2-12-int8.onnx from the repository.' }],
  });
}

function values(t: onnx.ITensorProto | undefined, name: string): Float64Array {
  if (!t) throw failed(`initializer ${name} is missing`);
  const raw = t.rawData && t.rawData.length ? t.rawData : null;
  const n = (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1);
  const out = new Float64Array(n);
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  for (let i = 0; i < n; i++) {
    switch (t.dataType) {
      case FLOAT: out[i] = view ? view.getFloat32(i * 4, true) : t.floatData![i]!; break;
      case UINT8: out[i] = view ? view.getUint8(i) : t.int32Data![i]!; break;
      case INT8: out[i] = view ? view.getInt8(i) : t.int32Data![i]!; break;
      case INT32: out[i] = view ? view.getInt32(i * 4, true) : t.int32Data![i]!; break;
      default: throw failed(`initializer ${name} has data type ${String(t.dataType)}`);
    }
  }
  return out;
}

const attrInts = (n: onnx.INodeProto, name: string): number[] => (n.attribute ?? []).find((a) => a.name === name)?.ints?.map(Number) ?? [];
const attrInt = (n: onnx.INodeProto, name: string, dflt: number): number => {
  const a = (n.attribute ?? []).find((x) => x.name === name);
  return a?.i === undefined || a.i === null ? dflt : Number(a.i);
};

/** Reads the backbone file; returns the spec and the float32 weights it points into. */
export async function extractBackbone(path: string): Promise<{ spec: BackboneSpec; weights: Float32Array }> {
  const P = await loadOnnxProto();
  const model = P.ModelProto.decode(await readFile(path));
  const graph = model.graph;
  if (!graph) throw failed('no graph');
  const init = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const quant = (graph.node ?? []).find((n) => n.opType === 'QuantizeLinear');
  if (!quant) throw failed('not a quantized MobileNetV2 (no QuantizeLinear)');
  const input = quant.output![0]!;
  const stride = new Map<string, number>([[input, 1]]);
  const channels = new Map<string, number>([[input, 3]]);
  const depthwise = new Set<string>();
  const ops: BackboneOp[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  const push = (a: Float64Array): number => {
    chunks.push(Float32Array.from(a));
    offset += a.length;
    return offset - a.length;
  };
  for (const n of graph.node ?? []) {
    const ins = n.input ?? [];
    if (n.opType === 'QLinearConv') {
      const [x, xs, , w, ws, wz, , , b] = ins as string[];
      const wt = init.get(w!);
      const dims = (wt?.dims ?? []).map(Number);
      const [cout, cinG, k] = [dims[0]!, dims[1]!, dims[2]!];
      const group = attrInt(n, 'group', 1);
      const q = values(wt, w!), scale = values(init.get(ws!), ws!), zp = values(init.get(wz!), wz!);
      const per = q.length / cout;
      const wf = q.map((v, i) => { const c = Math.floor(i / per); return (v - zp[zp.length > 1 ? c : 0]!) * scale[scale.length > 1 ? c : 0]!; });
      const xScale = values(init.get(xs!), xs!)[0]!;
      const bias = b ? values(init.get(b), b).map((v, c) => v * xScale * scale[scale.length > 1 ? c : 0]!) : new Float64Array(cout);
      const y = n.output![0]!;
      const s = (stride.get(x!) ?? NaN) * (attrInts(n, 'strides')[0] ?? 1);
      stride.set(y, s);
      channels.set(y, cout);
      if (group > 1) depthwise.add(y);
      ops.push({ op: 'conv', x: x!, y, cin: cinG * group, cout, k, group, stride: attrInts(n, 'strides')[0] ?? 1, pad: attrInts(n, 'pads')[0] ?? 0, relu: !(k === 1 && depthwise.has(x!)), w: push(wf), b: push(bias) });
    } else if (n.opType === 'QLinearAdd' && stride.has(ins[0]!)) {
      const y = n.output![0]!;
      stride.set(y, stride.get(ins[0]!)!);
      channels.set(y, channels.get(ins[0]!)!);
      ops.push({ op: 'add', a: ins[0]!, b: ins[3]!, y });
    }
  }
  // A block's output: a residual add or a linear projection; the last one at each stride is that stride's tap.
  const taps: Record<string, string> = {};
  for (const o of ops) if (o.op === 'add' || !o.relu) taps[String(stride.get(o.y))] = o.y;
  if (!taps['8'] || !taps['16']) throw failed('no stride-8 / stride-16 block outputs found');
  const last = ops.findIndex((o) => o.y === taps['16']);
  const kept = ops.slice(0, last + 1);
  const weights = new Float32Array(offset);
  let at = 0;
  for (const c of chunks) {
    weights.set(c, at);
    at += c.length;
  }
  const tapChannels = { '8': channels.get(taps['8'])!, '16': channels.get(taps['16'])! };
  return { spec: { input, ops: kept, taps: { '8': taps['8'], '16': taps['16'] }, channels: tapChannels }, weights };
}
