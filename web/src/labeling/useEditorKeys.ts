/**
 * The editor's keyboard shortcuts (listed on screen from the same table): next / previous image, undo, delete, class
 * 1–9, zoom, save. Ignored while typing in a field.
 */
import { useEffect, useRef } from 'react';

export interface EditorActions {
  next(): void;
  previous(): void;
  undo(): void;
  remove(): void;
  pickClass(k: number): void;
  zoomIn(): void;
  zoomOut(): void;
  save(): void;
}

export const SHORTCUTS: Array<{ keys: string[]; label: string }> = [
  { keys: ['N', '→'], label: 'next image' },
  { keys: ['P', '←'], label: 'previous image' },
  { keys: ['Ctrl+Z', 'Z'], label: 'undo' },
  { keys: ['Del', '⌫'], label: 'delete the selected box' },
  { keys: ['1…9'], label: 'class (of the selected box and new ones)' },
  { keys: ['+', '−'], label: 'zoom' },
  { keys: ['Ctrl+S'], label: 'save / approve' },
];

export function actionFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): Exclude<keyof EditorActions, 'pickClass'> | { pickClass: number } | null {
  const k = e.key;
  if ((e.ctrlKey || e.metaKey) && k.toLowerCase() === 'z') return 'undo';
  if ((e.ctrlKey || e.metaKey) && k.toLowerCase() === 's') return 'save';
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (k === 'n' || k === 'N' || k === 'ArrowRight') return 'next';
  if (k === 'p' || k === 'P' || k === 'ArrowLeft') return 'previous';
  if (k === 'z' || k === 'Z') return 'undo';
  if (k === 'Delete' || k === 'Backspace') return 'remove';
  if (k === '+' || k === '=') return 'zoomIn';
  if (k === '-') return 'zoomOut';
  if (/^[1-9]$/.test(k)) return { pickClass: Number(k) - 1 };
  return null;
}

export function useEditorKeys(actions: EditorActions): typeof SHORTCUTS {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
      const a = actionFor(e);
      if (a === null) return;
      e.preventDefault();
      if (typeof a === 'object') ref.current.pickClass(a.pickClass);
      else ref.current[a]();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return SHORTCUTS;
}
