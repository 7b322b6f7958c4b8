/** Object-detection metrics and post-processing: IoU, NMS, COCO mAP (pure, no I/O). */
export * from './iou.ts';
export * from './nms.ts';
export * from './cocoEval.ts';
