"""One ONNX graph for the whole detector: uint8 image [H, W, 3] (any size) → resize to the network input →
ImageNet normalisation → MobileNetV2 stride-8/16 layers → FCOS head → decoding → NonMaxSuppression → boxes
scaled back to the input's pixels. Exported with torch.onnx (opset 13); every op is in onnxruntime's CPU and
wasm builds (Resize, TopK, NonZero, NonMaxSuppression, Gather…). Metadata (classes, kind) is added by trainer.ts.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from fcos import decode, grid_points

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


class Exported(nn.Module):
    def __init__(self, stem, mid, head, size, nms):
        super().__init__()
        self.stem, self.mid, self.head = stem, mid, head
        self.size = size
        self.nms = nms
        self.register_buffer('points', grid_points(size[1] // 8, size[0] // 8))
        self.register_buffer('mean', MEAN.clone())
        self.register_buffer('std', STD.clone())

    def forward(self, image):
        hw = torch._shape_as_tensor(image).to(torch.float32)  # traced as Shape: the scale follows the input's size
        h, w = hw[0], hw[1]
        x = image.permute(2, 0, 1).unsqueeze(0).float()
        x = F.interpolate(x, size=(self.size[1], self.size[0]), mode='bilinear', align_corners=False)
        x = (x / 255.0 - self.mean) / self.std
        c8 = self.stem(x)
        boxes, scores, classes = decode(self.head(c8, self.mid(c8)), self.points,
                                        score_threshold=self.nms.get('score_threshold', 0.05),
                                        iou_threshold=self.nms.get('iou_threshold', 0.5),
                                        max_det=self.nms.get('max_detections', 100))
        scale = torch.stack([w / self.size[0], h / self.size[1], w / self.size[0], h / self.size[1]])
        return boxes * scale, scores, classes.to(torch.int64)


def export_onnx(stem, mid, head, size, n_classes, path, nms):
    model = Exported(stem, mid, head, size, nms).eval()
    example = torch.zeros(size[1], size[0], 3, dtype=torch.uint8)
    with torch.no_grad():
        torch.onnx.export(model, (example,), path, opset_version=13, input_names=['image'],
                          output_names=['boxes', 'scores', 'class_ids'],
                          dynamic_axes={'image': {0: 'height', 1: 'width'}, 'boxes': {0: 'n'}, 'scores': {0: 'n'}, 'class_ids': {0: 'n'}})
