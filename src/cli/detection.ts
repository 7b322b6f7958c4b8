/**
 * `sagebrush detection …` — object detection (issue 15). D2 owns this file (train, predict, models); this minimal
 * version only creates the command and adds D1's dataset commands (import, export, datasets).
 */
import type { Command } from 'commander';
import { addDetectionDataCommands } from './detectionData.ts';

export function registerDetectionCommands(program: Command): void {
  const detection = program.command('detection').description('Object detection: datasets (import, export), training and prediction');
  addDetectionDataCommands(detection);
}
