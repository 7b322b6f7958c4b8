/**
 * The bounding-box editor's state, pure (no React, no DOM) so it is tested on its own: boxes in image pixels, the
 * selected box, an undo stack of earlier box lists, and the geometry of drawing, moving and resizing (always clamped
 * to the image, so a saved box is never outside it).
 */
export interface Box {
  classId: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface EditorState {
  boxes: Box[];
  selected: number | null;
  undo: Box[][];
}

/** Which part of a box a drag holds: the body (move) or a corner / edge handle (resize). */
export type Handle = 'move' | 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';
export const HANDLES: Exclude<Handle, 'move'>[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

/** Boxes smaller than this (image pixels) are a click, not a drawing. */
export const MIN_SIZE = 3;

export const initialState = (boxes: Box[]): EditorState => ({ boxes, selected: null, undo: [] });

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number) => Math.round(v * 10) / 10;

/** Applies a change, keeping the list before it for undo. */
export function commit(s: EditorState, boxes: Box[], selected: number | null): EditorState {
  return { boxes, selected, undo: [...s.undo.slice(-99), s.boxes] };
}

export function undo(s: EditorState): EditorState {
  if (s.undo.length === 0) return s;
  return { boxes: s.undo[s.undo.length - 1]!, selected: null, undo: s.undo.slice(0, -1) };
}

export function removeSelected(s: EditorState): EditorState {
  if (s.selected === null) return s;
  return commit(s, s.boxes.filter((_, i) => i !== s.selected), null);
}

export function setClass(s: EditorState, classId: number): EditorState {
  if (s.selected === null) return s;
  return commit(s, s.boxes.map((b, i) => (i === s.selected ? { ...b, classId } : b)), s.selected);
}

/** A box from two corners, clamped to the image; null when too small to be meant. */
export function boxFromCorners(a: { x: number; y: number }, b: { x: number; y: number }, classId: number, size: { width: number; height: number }): Box | null {
  const x1 = clamp(Math.min(a.x, b.x), 0, size.width);
  const y1 = clamp(Math.min(a.y, b.y), 0, size.height);
  const x2 = clamp(Math.max(a.x, b.x), 0, size.width);
  const y2 = clamp(Math.max(a.y, b.y), 0, size.height);
  if (x2 - x1 < MIN_SIZE || y2 - y1 < MIN_SIZE) return null;
  return { classId, x: round(x1), y: round(y1), w: round(x2 - x1), h: round(y2 - y1) };
}

/** The box after dragging `handle` by (dx, dy) image pixels from `start`; stays inside the image, at least MIN_SIZE. */
export function dragBox(start: Box, handle: Handle, dx: number, dy: number, size: { width: number; height: number }): Box {
  if (handle === 'move') {
    return { ...start, x: round(clamp(start.x + dx, 0, size.width - start.w)), y: round(clamp(start.y + dy, 0, size.height - start.h)) };
  }
  let x1 = start.x;
  let y1 = start.y;
  let x2 = start.x + start.w;
  let y2 = start.y + start.h;
  if (handle.includes('w')) x1 = clamp(x1 + dx, 0, x2 - MIN_SIZE);
  if (handle.includes('e')) x2 = clamp(x2 + dx, x1 + MIN_SIZE, size.width);
  if (handle.includes('n')) y1 = clamp(y1 + dy, 0, y2 - MIN_SIZE);
  if (handle.includes('s')) y2 = clamp(y2 + dy, y1 + MIN_SIZE, size.height);
  return { ...start, x: round(x1), y: round(y1), w: round(x2 - x1), h: round(y2 - y1) };
}

/** Where handle `h` of box `b` sits (image pixels). */
export function handlePoint(b: Box, h: Exclude<Handle, 'move'>): { x: number; y: number } {
  const x = h.includes('w') ? b.x : h.includes('e') ? b.x + b.w : b.x + b.w / 2;
  const y = h.includes('n') ? b.y : h.includes('s') ? b.y + b.h : b.y + b.h / 2;
  return { x, y };
}

export const sameBoxes = (a: Box[], b: Box[]) => JSON.stringify(a) === JSON.stringify(b);
