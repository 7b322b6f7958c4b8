/**
 * A small REAL detector ONNX file on the detection contract (docs: /work/notes/detection.md; D2's trained detector
 * has the same interface), for edge tests and benches until a trained one is at hand:
 *   input  `image` uint8 [H, W, 3] RGB
 *   outputs `boxes` float32 [1, 4] = the whole image (0, 0, W, H), `scores` float32 [1] = mean brightness / 255,
 *           `class_ids` int64 [1] = 0; metadata `sagebrush.classes` = ["scratch"], `sagebrush.kind` = "detector".
 * So a test controls confidence with the image's brightness (a dark image is low-confidence → feedback).
 * Variant `broken` loads fine but fails on every real image (a Reshape to 5 values): a canary that errors.
 */
import type { onnx } from 'onnx-proto';
import type { ModelService } from '../../models/index.ts';
import type { ArtifactStore } from '../../../storage/artifacts/types.ts';
import { ATTR_INT, ATTR_INTS, FLOAT, loadOnnxProto, UINT8 } from '../../images/pixels/exportOnnx.ts';

const INT64 = 7;
export type FixtureVariant = 'brightness' | 'broken';

const node = (opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = []): onnx.INodeProto => ({ opType, input, output, name: output[0], domain: '', attribute });
const ints = (name: string, v: number[]): onnx.IAttributeProto => ({ name, type: ATTR_INTS, ints: v });
const int = (name: string, v: number): onnx.IAttributeProto => ({ name, type: ATTR_INT, i: v });
function i64(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  const data = BigInt64Array.from(values.map(BigInt));
  return { name, dataType: INT64, dims, rawData: new Uint8Array(data.buffer) };
}
function f32(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  const data = Float32Array.from(values);
  return { name, dataType: FLOAT, dims, rawData: new Uint8Array(data.buffer) };
}
const out = (name: string, elemType: number, dims: Array<number | string>): onnx.IValueInfoProto => ({
  name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

export async function buildFixtureDetector(variant: FixtureVariant = 'brightness'): Promise<Uint8Array> {
  const P = await loadOnnxProto();
  const mean = variant === 'broken'
    ? [node('Reshape', ['f', 'five'], ['f5']), node('ReduceMean', ['f5'], ['m'], [ints('axes', [0]), int('keepdims', 0)])]
    : [node('ReduceMean', ['f'], ['m'], [ints('axes', [0, 1, 2]), int('keepdims', 0)])];
  const graph: onnx.IGraphProto = {
    name: `sagebrush_fixture_detector_${variant}`,
    node: [
      node('Cast', ['image'], ['f'], [int('to', FLOAT)]),
      ...mean,
      node('Div', ['m', 'c255'], ['s']),
      node('Reshape', ['s', 'shape1'], ['scores']),
      node('Shape', ['image'], ['shp']),
      node('Gather', ['shp', 'wh_idx'], ['wh'], [int('axis', 0)]),
      node('Cast', ['wh'], ['whf'], [int('to', FLOAT)]),
      node('Concat', ['zeros2', 'whf'], ['box4'], [int('axis', 0)]),
      node('Reshape', ['box4', 'shape14'], ['boxes']),
      node('Identity', ['cls0'], ['class_ids']),
    ],
    initializer: [
      f32('c255', [], [255]), i64('shape1', [1], [1]), i64('shape14', [2], [1, 4]), i64('wh_idx', [2], [1, 0]),
      f32('zeros2', [2], [0, 0]), i64('cls0', [1], [0]), ...(variant === 'broken' ? [i64('five', [1], [5])] : []),
    ],
    input: [out('image', UINT8, ['H', 'W', 3])],
    output: [out('boxes', FLOAT, ['N', 4]), out('scores', FLOAT, ['N']), out('class_ids', INT64, ['N'])],
  };
  const model: onnx.IModelProto = {
    irVersion: 8, producerName: 'sagebrush-edge-fixture', producerVersion: '1', opsetImport: [{ domain: '', version: 13 }], graph,
    metadataProps: [{ key: 'sagebrush.classes', value: JSON.stringify(['scratch']) }, { key: 'sagebrush.kind', value: 'detector' }],
  };
  const err = P.ModelProto.verify(model);
  if (err) throw new Error(`fixture detector is not a valid ModelProto: ${err}`);
  return P.ModelProto.encode(P.ModelProto.create(model)).finish();
}

/** Registers the fixture as a ready `detector` version (its ONNX file is the version's `onnx` artifact). */
export async function registerFixtureDetector(deps: { models: ModelService; artifacts: ArtifactStore }, name: string, variant: FixtureVariant = 'brightness') {
  const created = await deps.models.create({ name, kind: 'detector', params: { fixture: variant } });
  const key = `models/${created.id}/model.onnx`;
  await deps.artifacts.put(key, Buffer.from(await buildFixtureDetector(variant)));
  return deps.models.markReady(created.id, { metrics: {}, artifacts: { onnx: key }, meta: { classes: ['scratch'] } });
}
