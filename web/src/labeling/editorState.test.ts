import { describe, expect, it } from 'vitest';
import { boxFromCorners, commit, dragBox, initialState, removeSelected, setClass, undo } from './editorState.ts';
import { actionFor } from './useEditorKeys.ts';

const size = { width: 450, height: 300 };

describe('box editor state', () => {
  it('draws a box from two corners in any direction, clamped to the image; a click is no box', () => {
    expect(boxFromCorners({ x: 100, y: 80 }, { x: 40, y: 20 }, 0, size)).toEqual({ classId: 0, x: 40, y: 20, w: 60, h: 60 });
    expect(boxFromCorners({ x: 400, y: 250 }, { x: 600, y: 400 }, 1, size)).toEqual({ classId: 1, x: 400, y: 250, w: 50, h: 50 });
    expect(boxFromCorners({ x: 10, y: 10 }, { x: 11, y: 40 }, 0, size)).toBeNull();
  });

  it('moves inside the image and resizes by any handle, never below the minimum size', () => {
    const b = { classId: 0, x: 10, y: 10, w: 50, h: 40 };
    expect(dragBox(b, 'move', -30, 500, size)).toEqual({ ...b, x: 0, y: 260 });
    expect(dragBox(b, 'se', 20, 10, size)).toEqual({ ...b, w: 70, h: 50 });
    expect(dragBox(b, 'nw', 100, 0, size)).toEqual({ ...b, x: 57, w: 3 });
    expect(dragBox(b, 'e', 1000, 0, size)).toEqual({ ...b, w: 440 });
  });

  it('undoes each change in turn: draw, class change, delete', () => {
    let s = initialState([]);
    s = commit(s, [{ classId: 0, x: 1, y: 1, w: 10, h: 10 }], 0);
    s = setClass(s, 2);
    expect(s.boxes[0]!.classId).toBe(2);
    s = removeSelected(s);
    expect(s.boxes).toEqual([]);
    s = undo(s);
    expect(s.boxes).toEqual([{ classId: 2, x: 1, y: 1, w: 10, h: 10 }]);
    s = undo(undo(s));
    expect(s.boxes).toEqual([]);
    expect(undo(s)).toBe(s);
  });
});

describe('editor shortcuts', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => actionFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });
  it('maps next / previous / undo / delete / class / save keys', () => {
    expect([key('n'), key('ArrowRight'), key('p'), key('ArrowLeft'), key('z'), key('z', { ctrlKey: true }), key('Delete'), key('s', { ctrlKey: true })]).toEqual(['next', 'next', 'previous', 'previous', 'undo', 'undo', 'remove', 'save']);
    expect(key('2')).toEqual({ pickClass: 1 });
    expect([key('n', { ctrlKey: true }), key('x')]).toEqual([null, null]);
  });
});
