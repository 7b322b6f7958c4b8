/**
 * One self-contained ONNX file for an image classifier: the backbone's ModelProto with preprocessing
 * prepended and the trained head appended (onnx-proto = protobufjs bindings of onnx.proto).
 *
 *   image uint8 [N,224,224,3] (RGB, already oriented/resized/centre-cropped: decode.ts preprocessedRgb)
 *   → Cast float → Div 255 → Sub ImageNet mean → Div ImageNet std → Transpose NHWC→NCHW → backbone input
 *   backbone output [N,D] → Sub feature mean → Div feature scale → Gemm(coefᵀ, intercept) → Div T → Softmax(axis 1)
 *   → probabilities float [N,K]
 *
 * Only opset-7-era ops are added, all valid at the backbone's own default-domain opset (≥ 11, checked), so
 * the opset imports stay as they are. Labels and preprocessing notes go in metadata_props.
 */
import { readFile } from 'node:fs/promises';
import type onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { AppError } from '../../../core/errors.ts';
import { IMAGENET_MEAN, IMAGENET_STD, INPUT_SIZE } from './decode.ts';
import type { FeatureKind } from './embedder.ts';
import { cutToMultiLayer } from './multilayer.ts';
import { cutToPooled } from './pooled.ts';

type OnnxProto = typeof onnxProto.onnx;
let proto: Promise<OnnxProto> | undefined;

/** onnx-proto (protobufjs), imported on first use: ~0.1 s of CPU that only an export needs (issue 17). */
export function loadOnnxProto(): Promise<OnnxProto> {
  proto ??= import('onnx-proto').then((m) => m.default.onnx);
  return proto;
}

// Enum values fixed by onnx.proto (TensorProto.DataType, AttributeProto.AttributeType); exportOnnx.test.ts checks them.
export const FLOAT = 1;
export const UINT8 = 2;
export const ATTR_INT = 2;
export const ATTR_INTS = 7;

export interface ExportHead {
  labels: string[];
  /** nClasses × nFeatures, row-major (H1's SoftmaxModel.coef). */
  coef: Float64Array;
  intercept: Float64Array;
  nFeatures: number;
  standardizer: { mean: Float64Array; scale: Float64Array };
  temperature: number;
  /** The backbone layer(s) the head was trained on (store.ts featuresOf); absent: the backbone's output, or the pooled cut when widths differ. */
  features?: FeatureKind;
}

export const EXPORT_INPUT = 'image';
export const EXPORT_OUTPUT = 'probabilities';

function failed(message: string, cause?: unknown): AppError {
  return new AppError('IMAGE_EXPORT_FAILED', message, cause === undefined ? {} : { cause });
}

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  const data = Float32Array.from(values);
  return { name, dataType: FLOAT, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function node(opType: string, inputs: string[], outputs: string[], attributes: onnx.IAttributeProto[] = []): onnx.INodeProto {
  return { opType, input: inputs, output: outputs, name: `sagebrush_${outputs[0]}`, domain: '', attribute: attributes };
}

const intAttr = (name: string, i: number): onnx.IAttributeProto => ({ name, type: ATTR_INT, i });
const intsAttr = (name: string, ints: number[]): onnx.IAttributeProto => ({ name, type: ATTR_INTS, ints });

function checkHead(head: ExportHead): number {
  const k = head.labels.length;
  const d = head.nFeatures;
  if (k < 2) throw failed(`The head has ${k} labels; an image classifier needs at least 2`);
  if (head.coef.length !== k * d) throw failed(`coef has ${head.coef.length} values; expected ${k} labels × ${d} features`);
  if (head.intercept.length !== k) throw failed(`intercept has ${head.intercept.length} values; expected ${k}`);
  if (head.standardizer.mean.length !== d || head.standardizer.scale.length !== d) throw failed(`the standardizer has ${head.standardizer.mean.length} features; expected ${d}`);
  if (!(head.temperature > 0) || !Number.isFinite(head.temperature)) throw failed(`temperature must be a positive number (got ${head.temperature})`);
  return k;
}

export async function exportImageClassifier(backbonePath: string, head: ExportHead): Promise<Uint8Array> {
  const k = checkHead(head);
  const P = await loadOnnxProto();
  let model: onnx.ModelProto;
  try {
    model = P.ModelProto.decode(await readFile(backbonePath));
  } catch (err) {
    throw failed(`Cannot read the backbone ONNX file ${backbonePath}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  const graph = model.graph;
  if (!graph) throw failed(`The backbone ${backbonePath} has no graph`);
  // a head trained on the pooled penultimate layer (pixels/pooled.ts) or on several layers (multilayer.ts): cut
  // the backbone the same way first
  const firstWidth = Number(graph.output?.[0]?.type?.tensorType?.shape?.dim?.[1]?.dimValue ?? 0);
  const kind = head.features ?? ((graph.output ?? []).length === 1 && firstWidth && firstWidth !== head.nFeatures ? 'pooled' : 'logits');
  if (kind !== 'logits') {
    try {
      if (kind === 'multilayer') cutToMultiLayer(model);
      else cutToPooled(model);
    } catch {
      // not cuttable: the width check below names the mismatch
    }
  }
  const initializer = graph.initializer ?? [];
  const graphInputs = graph.input ?? [];
  const graphOutputs = graph.output ?? [];
  const graphNodes = graph.node ?? [];
  const initNames = new Set(initializer.map((t) => t.name));
  const realInputs = graphInputs.filter((i) => !initNames.has(i.name));
  if (realInputs.length !== 1 || graphOutputs.length !== 1) {
    throw failed(`The backbone must have one input and one output (has ${realInputs.length} and ${graphOutputs.length})`);
  }
  const backboneIn = realInputs[0]!.name!;
  const backboneOut = graph.output![0]!.name!;
  const outDims = graph.output![0]!.type?.tensorType?.shape?.dim ?? [];
  const outWidth = Number(outDims[1]?.dimValue ?? 0);
  if (outWidth && outWidth !== head.nFeatures) throw failed(`The backbone outputs ${outWidth} features but the head expects ${head.nFeatures}`);
  const opset = model.opsetImport.find((o) => !o.domain);
  if (!opset || Number(opset.version) < 11) throw failed(`The backbone's default-domain opset is ${opset ? String(opset.version) : 'missing'}; 11 or newer is needed`);

  // Names for the added tensors; prefixed so they cannot clash with the backbone's.
  const used = new Set<string>([...initNames, ...graphNodes.flatMap((n) => [...(n.input ?? []), ...(n.output ?? [])]), ...graphInputs.map((i) => i.name ?? '')].filter((n): n is string => !!n));
  const name = (base: string): string => {
    let n = `sagebrush_${base}`;
    while (used.has(n)) n += '_';
    used.add(n);
    return n;
  };
  const t = {
    f: name('image_float'), x01: name('image_01'), xc: name('image_centred'), xn: name('image_normalised'),
    c255: name('c255'), mean: name('imagenet_mean'), std: name('imagenet_std'),
    fmean: name('feature_mean'), fscale: name('feature_scale'), zc: name('features_centred'), z: name('features_standardised'),
    coef: name('head_coef'), icpt: name('head_intercept'), logits: name('head_logits'), temp: name('temperature'), scaled: name('scaled_logits'),
  };

  const pre: onnx.INodeProto[] = [
    node('Cast', [EXPORT_INPUT], [t.f], [intAttr('to', FLOAT)]),
    node('Div', [t.f, t.c255], [t.x01]),
    node('Sub', [t.x01, t.mean], [t.xc]),
    node('Div', [t.xc, t.std], [t.xn]),
    node('Transpose', [t.xn], [backboneIn], [intsAttr('perm', [0, 3, 1, 2])]),
  ];
  const post: onnx.INodeProto[] = [
    node('Sub', [backboneOut, t.fmean], [t.zc]),
    node('Div', [t.zc, t.fscale], [t.z]),
    node('Gemm', [t.z, t.coef, t.icpt], [t.logits], [intAttr('transB', 1)]),
    node('Div', [t.logits, t.temp], [t.scaled]),
    node('Softmax', [t.scaled], [EXPORT_OUTPUT], [intAttr('axis', 1)]),
  ];
  const d = head.nFeatures;
  const inits: onnx.ITensorProto[] = [
    floatTensor(t.c255, [], [255]),
    floatTensor(t.mean, [1, 1, 1, 3], IMAGENET_MEAN),
    floatTensor(t.std, [1, 1, 1, 3], IMAGENET_STD),
    floatTensor(t.fmean, [1, d], head.standardizer.mean),
    floatTensor(t.fscale, [1, d], head.standardizer.scale),
    floatTensor(t.coef, [k, d], head.coef),
    floatTensor(t.icpt, [k], head.intercept),
    floatTensor(t.temp, [], [head.temperature]),
  ];

  const batchDim = (): onnx.TensorShapeProto.IDimension => ({ dimParam: 'N' });
  const inputInfo: onnx.IValueInfoProto = {
    name: EXPORT_INPUT,
    docString: `RGB uint8 NHWC, ${INPUT_SIZE}×${INPUT_SIZE}: EXIF-oriented, shorter side resized to ${INPUT_SIZE}, centre-cropped`,
    type: { tensorType: { elemType: UINT8, shape: { dim: [batchDim(), { dimValue: INPUT_SIZE }, { dimValue: INPUT_SIZE }, { dimValue: 3 }] } } },
  };
  const outputInfo: onnx.IValueInfoProto = {
    name: EXPORT_OUTPUT,
    docString: `calibrated class probabilities, columns in the order of metadata 'labels'`,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [batchDim(), { dimValue: k }] } } },
  };

  // Keep initializer-inputs (older IR) but replace the real input; the backbone's old output becomes internal.
  graph.input = [inputInfo, ...graphInputs.filter((i) => initNames.has(i.name))];
  graph.output = [outputInfo];
  graph.node = [...pre, ...graphNodes, ...post];
  graph.initializer = [...initializer, ...inits];
  graph.name = 'sagebrush_image_classifier';
  model.producerName = 'sagebrush';
  model.producerVersion = '1';
  model.docString = 'Sagebrush image classifier: preprocessing + frozen backbone + standardised multinomial logistic head + temperature scaling';
  model.metadataProps = [
    { key: 'labels', value: JSON.stringify(head.labels) },
    { key: 'input', value: `${EXPORT_INPUT}: uint8 [N,${INPUT_SIZE},${INPUT_SIZE},3] RGB after shorter-side resize to ${INPUT_SIZE} and centre crop` },
    { key: 'output', value: `${EXPORT_OUTPUT}: float [N,${k}] softmax(head(standardise(backbone(x))) / T)` },
    { key: 'temperature', value: String(head.temperature) },
  ];
  const err = P.ModelProto.verify(model);
  if (err) throw failed(`The exported model is not a valid ModelProto: ${err}`);
  return P.ModelProto.encode(model).finish();
}

/** Labels stored in an exported model's metadata (for readers of the file). */
export async function exportedLabels(bytes: Uint8Array): Promise<string[]> {
  const model = (await loadOnnxProto()).ModelProto.decode(bytes);
  const entry = model.metadataProps.find((p) => p.key === 'labels');
  return entry?.value ? (JSON.parse(entry.value) as string[]) : [];
}
