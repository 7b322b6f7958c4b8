/**
 * The bounding-box editor: the image with an SVG layer in image pixels (viewBox = the image's size, so boxes are
 * stored in the image's own pixels at any zoom). Drag on the image to draw a box, drag a box to move it, drag one of
 * its eight handles to resize; a click selects. Pre-labels from the detector are drawn dashed (not editable) with their
 * score. State changes go through editorState.ts (clamped to the image, undoable).
 */
import { useRef, useState, type PointerEvent } from 'react';
import { boxFromCorners, commit, dragBox, HANDLES, handlePoint, type Box, type EditorState, type Handle } from './editorState.ts';

const PALETTE = ['#e8590c', '#1c7ed6', '#2f9e44', '#ae3ec9', '#f08c00', '#0ca678', '#d6336c', '#5f3dc4'];
export const classColor = (classId: number) => PALETTE[classId % PALETTE.length]!;

type Gesture =
  | { kind: 'draw'; start: { x: number; y: number }; now: { x: number; y: number } }
  | { kind: 'drag'; index: number; handle: Handle; origin: { x: number; y: number }; start: Box; now: Box };

interface Props {
  src: string | null;
  width: number;
  height: number;
  /** Display pixels per image pixel. */
  scale: number;
  state: EditorState;
  onChange: (s: EditorState) => void;
  /** The class of newly drawn boxes. */
  classId: number;
  classes: string[];
  prelabels?: Array<Box & { score?: number }> | null;
  readOnly?: boolean;
}

export function BoxEditor({ src, width, height, scale, state, onChange, classId, classes, prelabels, readOnly = false }: Props) {
  const svg = useRef<SVGSVGElement>(null);
  const [gesture, setGesture] = useState<Gesture | null>(null);
  const size = { width, height };

  function toImage(e: PointerEvent): { x: number; y: number } {
    const r = svg.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * width, y: ((e.clientY - r.top) / r.height) * height };
  }

  function begin(e: PointerEvent, g: Gesture) {
    if (readOnly || e.button !== 0) return;
    e.stopPropagation();
    e.preventDefault();
    svg.current?.setPointerCapture(e.pointerId);
    setGesture(g);
  }

  function move(e: PointerEvent) {
    if (!gesture) return;
    const p = toImage(e);
    if (gesture.kind === 'draw') setGesture({ ...gesture, now: p });
    else setGesture({ ...gesture, now: dragBox(gesture.start, gesture.handle, p.x - gesture.origin.x, p.y - gesture.origin.y, size) });
  }

  function end() {
    const g = gesture;
    setGesture(null);
    if (!g) return;
    if (g.kind === 'draw') {
      const b = boxFromCorners(g.start, g.now, classId, size);
      if (b) onChange(commit(state, [...state.boxes, b], state.boxes.length));
      else onChange({ ...state, selected: null }); // a click on the image: deselect
      return;
    }
    const changed = JSON.stringify(g.now) !== JSON.stringify(g.start);
    if (changed) onChange(commit(state, state.boxes.map((b, i) => (i === g.index ? g.now : b)), g.index));
    else onChange({ ...state, selected: g.index });
  }

  const shown = state.boxes.map((b, i) => (gesture?.kind === 'drag' && gesture.index === i ? gesture.now : b));
  const drawing = gesture?.kind === 'draw' ? boxFromCorners(gesture.start, gesture.now, classId, size) : null;
  const hs = 7 / scale; // handle size: 7 display pixels at any zoom
  const sel = state.selected;

  return (
    <div style={{ position: 'relative', width: width * scale, height: height * scale, userSelect: 'none' }} data-testid="box-editor" data-boxes={state.boxes.length} data-scale={scale}>
      {src && <img src={src} alt="" draggable={false} style={{ position: 'absolute', inset: 0, width: '100%', height: '100%' }} data-testid="editor-image" />}
      <svg
        ref={svg}
        viewBox={`0 0 ${width} ${height}`}
        style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', cursor: readOnly ? 'default' : 'crosshair', touchAction: 'none' }}
        onPointerDown={(e) => begin(e, { kind: 'draw', start: toImage(e), now: toImage(e) })}
        onPointerMove={move}
        onPointerUp={end}
        onPointerCancel={() => setGesture(null)}
        data-testid="editor-canvas"
      >
        {prelabels?.map((b, i) => (
          <g key={`p${i}`} pointerEvents="none" data-testid="editor-prelabel">
            <rect x={b.x} y={b.y} width={b.w} height={b.h} fill="none" stroke="#fab005" strokeWidth={2} strokeDasharray="6 4" vectorEffect="non-scaling-stroke" />
            <text x={b.x + 2} y={Math.max(10 / scale, b.y - 3 / scale)} fontSize={11 / scale} fill="#fab005">pre {classes[b.classId] ?? b.classId}{b.score !== undefined ? ` ${b.score.toFixed(2)}` : ''}</text>
          </g>
        ))}
        {shown.map((b, i) => (
          <g key={i}>
            <rect
              x={b.x} y={b.y} width={b.w} height={b.h}
              fill={i === sel ? 'rgba(255,255,255,0.15)' : 'transparent'}
              stroke={classColor(b.classId)} strokeWidth={i === sel ? 3 : 2} vectorEffect="non-scaling-stroke"
              style={{ cursor: readOnly ? 'default' : 'move' }}
              onPointerDown={(e) => begin(e, { kind: 'drag', index: i, handle: 'move', origin: toImage(e), start: b, now: b })}
              data-testid="editor-box" data-index={i} data-class={b.classId} data-selected={i === sel ? 'true' : 'false'}
              data-box={`${Math.round(b.x)},${Math.round(b.y)},${Math.round(b.w)},${Math.round(b.h)}`}
            />
            <text x={b.x + 2} y={b.y + 12 / scale} fontSize={11 / scale} fill={classColor(b.classId)} pointerEvents="none">{classes[b.classId] ?? b.classId}</text>
            {i === sel && !readOnly && HANDLES.map((h) => {
              const p = handlePoint(b, h);
              return (
                <rect key={h} x={p.x - hs / 2} y={p.y - hs / 2} width={hs} height={hs} fill="#fff" stroke={classColor(b.classId)} vectorEffect="non-scaling-stroke"
                  style={{ cursor: `${h}-resize` }} data-testid="editor-handle" data-handle={h}
                  onPointerDown={(e) => begin(e, { kind: 'drag', index: i, handle: h, origin: toImage(e), start: b, now: b })} />
              );
            })}
          </g>
        ))}
        {drawing && <rect x={drawing.x} y={drawing.y} width={drawing.w} height={drawing.h} fill="none" stroke={classColor(classId)} strokeWidth={2} strokeDasharray="3 2" vectorEffect="non-scaling-stroke" pointerEvents="none" />}
      </svg>
    </div>
  );
}
