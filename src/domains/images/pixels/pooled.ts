/**
 * The backbone's pooled penultimate layer as its output (issue 18): an ImageNet classifier ends in
 * … → GlobalAveragePool → Flatten/Reshape → MatMul/Gemm (+ Add) → logits. The 1,280 pooled features of MobileNetV2
 * transfer better to other domains (skin lesions) than the 1,000 ImageNet logits, which are the classifier's view
 * of them. cutToPooled() rewrites a decoded ModelProto so its one output is the classifier layer's input (for the
 * int8 model: QLinearMatMul's quantized input, dequantized with its own scale and zero point), and drops the nodes
 * and initializers nothing reads any more. pooledBackboneFile() writes that model once per backbone (temp name +
 * rename) for onnxruntime.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { onnx } from 'onnx-proto';
import { AppError } from '../../../core/errors.ts';

const FLOAT = 1; // TensorProto.DataType.FLOAT (exportOnnx.test.ts checks the enum)

export const POOLED_OUTPUT = 'sagebrush_pooled_features';
const CLASSIFIER_OPS = new Set(['MatMul', 'Gemm', 'QLinearMatMul', 'MatMulInteger']);

function failed(message: string): AppError {
  return new AppError('IMAGE_EXPORT_FAILED', message);
}

/** Rewrites `model` in place; returns the width of the pooled output (from the classifier weight's shape). */
export function cutToPooled(model: onnx.ModelProto): number {
  const graph = model.graph;
  if (!graph || (graph.output ?? []).length !== 1) throw failed('cutting the backbone: it must have one output');
  const nodes = graph.node ?? [];
  const producer = new Map<string, onnx.INodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  // walk back from the output through the classifier's tail (Add / Dequantize / Softmax …) to its matrix product
  let cur = producer.get(graph.output![0]!.name!);
  for (let guard = 0; cur && !CLASSIFIER_OPS.has(cur.opType ?? '') && guard < 8; guard++) cur = producer.get(cur.input?.[0] ?? '');
  if (!cur || !CLASSIFIER_OPS.has(cur.opType ?? '')) throw failed('cutting the backbone: no MatMul/Gemm classifier layer before its output');
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const weightName = cur.opType === 'QLinearMatMul' ? cur.input![3]! : cur.input![1]!;
  const wDims = (inits.get(weightName)?.dims ?? []).map(Number);
  const transB = cur.opType === 'Gemm' && (cur.attribute ?? []).some((a) => a.name === 'transB' && Number(a.i) === 1);
  const width = wDims.length === 2 ? (transB ? wDims[1]! : wDims[0]!) : 0;
  const added: onnx.INodeProto[] = [];
  if (cur.opType === 'QLinearMatMul' || cur.opType === 'MatMulInteger') {
    const [x, scale, zero] = cur.opType === 'QLinearMatMul' ? [cur.input![0]!, cur.input![1]!, cur.input![2]!] : [cur.input![0]!, '', cur.input![2] ?? ''];
    if (!scale) throw failed('cutting the backbone: MatMulInteger input has no scale to dequantize with');
    added.push({ opType: 'DequantizeLinear', input: zero ? [x, scale, zero] : [x, scale], output: [POOLED_OUTPUT], name: 'sagebrush_pooled', domain: '' });
  } else {
    added.push({ opType: 'Identity', input: [cur.input![0]!], output: [POOLED_OUTPUT], name: 'sagebrush_pooled', domain: '' });
  }
  // keep only the nodes the new output needs
  const need = new Set<string>(added[0]!.input);
  const keep = new Set<onnx.INodeProto>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if ((n.output ?? []).some((o) => need.has(o))) {
      keep.add(n);
      for (const x of n.input ?? []) need.add(x);
    }
  }
  graph.node = [...nodes.filter((n) => keep.has(n)), ...added];
  graph.initializer = (graph.initializer ?? []).filter((t) => need.has(t.name!));
  graph.input = (graph.input ?? []).filter((i) => need.has(i.name!) || !inits.has(i.name!));
  graph.valueInfo = [];
  const batch = graph.output![0]!.type?.tensorType?.shape?.dim?.[0] ?? { dimParam: 'N' };
  graph.output = [{ name: POOLED_OUTPUT, type: { tensorType: { elemType: FLOAT, shape: { dim: [batch, width ? { dimValue: width } : { dimParam: 'D' }] } } } }];
  return width;
}

/** The pooled-feature model of `backbonePath`, written once to the temp dir (keyed by the backbone's sha256). */
export async function pooledBackboneFile(backbonePath: string, dir = join(tmpdir(), 'sagebrush-backbones')): Promise<string> {
  const bytes = readFileSync(backbonePath);
  const sha = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const out = join(dir, `${sha}-pooled.onnx`);
  if (existsSync(out)) return out;
  const P = (await import('onnx-proto')).default.onnx;
  const model = P.ModelProto.decode(bytes);
  cutToPooled(model);
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, P.ModelProto.encode(model).finish());
  renameSync(tmp, out);
  return out;
}
