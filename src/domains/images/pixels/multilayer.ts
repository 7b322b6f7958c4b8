/**
 * Features from more than one layer of the same backbone (issue 18): the pooled penultimate layer (pooled.ts) plus
 * the global-average-pooled outputs of the last stages of the trunk, concatenated into one output in one pass.
 * For the bundled MobileNetV2 int8: 1,280 pooled + 96 (14×14 block, `426`) + 160 (7×7, `452`) + 320 (7×7, `624`) =
 * 1,856 values. Earlier blocks keep more of the texture and colour detail that skin lesions differ by; the 1,280
 * values are the ImageNet classifier's view. The head standardises every column, so the blocks need no scaling here.
 *
 * The stages are found generically: walking back from the pooled layer along each node's first input, a stage's
 * output is the first tensor of a new channel width that feeds a 1×1 expansion convolution (a Conv/QLinearConv
 * whose output is wider than its input). Quantized tensors are dequantized with their producer's own output scale
 * and zero point (QLinearConv / QLinearAdd inputs 6 and 7); every added op (DequantizeLinear, GlobalAveragePool,
 * Flatten, Concat) is a standard opset-11 op, so onnxruntime-web runs the exported file too.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { onnx } from 'onnx-proto';
import { AppError } from '../../../core/errors.ts';
import { cutToPooled, POOLED_OUTPUT } from './pooled.ts';

const FLOAT = 1;
export const MULTILAYER_OUTPUT = 'sagebrush_multilayer_features';
/** How many trunk stages before the pooled layer are added (96, 160 and 320 channels in MobileNetV2). */
export const MULTILAYER_STAGES = 3;
const QUANTIZED = new Set(['QLinearConv', 'QLinearAdd']);
const CONV = new Set(['Conv', 'QLinearConv']);
const PASS_THROUGH = new Set(['Relu', 'Clip', 'DequantizeLinear', 'QuantizeLinear', 'Reshape', 'Flatten', 'GlobalAveragePool', 'QLinearGlobalAveragePool', 'Identity']);

function failed(message: string): AppError {
  return new AppError('IMAGE_EXPORT_FAILED', message);
}

interface Stage {
  tensor: string;
  width: number;
  producer: onnx.INodeProto;
}

/** The last `count` trunk stages' output tensors, shallowest first, found from the pooled layer's input tensor. */
export function trunkStages(graph: onnx.IGraphProto, from: string, count = MULTILAYER_STAGES): Stage[] {
  const nodes = graph.node ?? [];
  const producer = new Map<string, onnx.INodeProto>();
  const consumers = new Map<string, onnx.INodeProto[]>();
  for (const n of nodes) {
    for (const o of n.output ?? []) producer.set(o, n);
    const first = n.input?.[0];
    if (first) consumers.set(first, [...(consumers.get(first) ?? []), n]);
  }
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const convWidth = (n: onnx.INodeProto) => Number(inits.get(n.input![n.opType === 'QLinearConv' ? 3 : 1]!)?.dims?.[0] ?? 0);
  const widths = new Map<string, number>();
  const widthOf = (t: string, depth = 0): number => {
    const known = widths.get(t);
    if (known !== undefined) return known;
    const p = producer.get(t);
    let w = 0;
    if (p && CONV.has(p.opType ?? '')) w = convWidth(p);
    else if (p && depth < 64 && (PASS_THROUGH.has(p.opType ?? '') || p.opType === 'Add' || p.opType === 'QLinearAdd')) w = widthOf(p.input![0]!, depth + 1);
    widths.set(t, w);
    return w;
  };
  const stages: Stage[] = [];
  const seen = new Set<number>();
  let t: string | undefined = from;
  for (let guard = 0; t && stages.length < count && guard < 10_000; guard++) {
    const w = widthOf(t);
    const p = producer.get(t);
    if (!p) break;
    const expands = (consumers.get(t) ?? []).some((c) => CONV.has(c.opType ?? '') && convWidth(c) > w);
    if (w > 0 && !seen.has(w) && expands && (CONV.has(p.opType ?? '') || p.opType === 'Add' || p.opType === 'QLinearAdd')) {
      seen.add(w);
      stages.push({ tensor: t, width: w, producer: p });
    }
    t = p.input?.[0];
  }
  return stages.reverse();
}

/**
 * Rewrites `model` in place so its one output is [N, pooled width + the stages' widths]: the pooled penultimate
 * values first (so the first columns equal the 'pooled' features), then each stage's global average, shallowest
 * first. Returns the widths: `{ total, blocks: [pooled, stage…] }`.
 */
export function cutToMultiLayer(model: onnx.ModelProto): { total: number; blocks: number[] } {
  const pooledWidth = cutToPooled(model);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const pooledNode = nodes.find((n) => (n.output ?? []).includes(POOLED_OUTPUT))!;
  // from the classifier's input back past the pooling to the last feature map
  const stages = trunkStages(graph, pooledNode.input![0]!, MULTILAYER_STAGES);
  if (stages.length < MULTILAYER_STAGES || !pooledWidth) throw failed(`cutting the backbone: found ${stages.length} of the ${MULTILAYER_STAGES} trunk stages before its pooled layer`);
  const added: onnx.INodeProto[] = [];
  const parts = [POOLED_OUTPUT];
  for (const [i, s] of stages.entries()) {
    const base = `sagebrush_stage${i}`;
    let x = s.tensor;
    if (QUANTIZED.has(s.producer.opType ?? '')) {
      added.push({ opType: 'DequantizeLinear', input: [s.tensor, s.producer.input![6]!, s.producer.input![7]!], output: [`${base}_float`], name: `${base}_dequantize`, domain: '' });
      x = `${base}_float`;
    }
    added.push({ opType: 'GlobalAveragePool', input: [x], output: [`${base}_gap`], name: `${base}_gap`, domain: '' });
    added.push({ opType: 'Flatten', input: [`${base}_gap`], output: [`${base}_pooled`], name: `${base}_flatten`, domain: '', attribute: [{ name: 'axis', type: 2, i: 1 }] });
    parts.push(`${base}_pooled`);
  }
  added.push({ opType: 'Concat', input: parts, output: [MULTILAYER_OUTPUT], name: 'sagebrush_multilayer', domain: '', attribute: [{ name: 'axis', type: 2, i: 1 }] });
  graph.node = [...nodes, ...added];
  const blocks = [pooledWidth, ...stages.map((s) => s.width)];
  const total = blocks.reduce((a, b) => a + b, 0);
  const batch = graph.output![0]!.type?.tensorType?.shape?.dim?.[0] ?? { dimParam: 'N' };
  graph.output = [{ name: MULTILAYER_OUTPUT, type: { tensorType: { elemType: FLOAT, shape: { dim: [batch, { dimValue: total }] } } } }];
  return { total, blocks };
}

/** The multi-layer feature model of `backbonePath`, written once to the temp dir (keyed by the backbone's sha256). */
export async function multiLayerBackboneFile(backbonePath: string, dir = join(tmpdir(), 'sagebrush-backbones')): Promise<string> {
  const bytes = readFileSync(backbonePath);
  const sha = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const out = join(dir, `${sha}-multilayer.onnx`);
  if (existsSync(out)) return out;
  const P = (await import('onnx-proto')).default.onnx;
  const model = P.ModelProto.decode(bytes);
  cutToMultiLayer(model);
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, P.ModelProto.encode(model).finish());
  renameSync(tmp, out);
  return out;
}
