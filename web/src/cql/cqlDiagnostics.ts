/**
 * Compile problems marked in the CQL editor at the translator's line:column: the line gets a tinted background and a
 * gutter marker (hover: the message), the token at the column a wavy underline. Built on @codemirror/view and
 * @codemirror/state (re-exported by @uiw/react-codemirror), so no lint package is needed.
 */
import { Decoration, EditorView, gutter, GutterMarker, RangeSet, StateEffect, StateField, type DecorationSet, type Extension, type Range } from '@uiw/react-codemirror';

export interface EditorProblem {
  line?: number | null;
  column?: number | null;
  severity: string;
  message: string;
}

const setProblems = StateEffect.define<EditorProblem[]>();

class ProblemMarker extends GutterMarker {
  constructor(readonly problems: EditorProblem[]) {
    super();
  }
  override eq(other: ProblemMarker): boolean {
    return other.problems.map((p) => p.message).join('\n') === this.problems.map((p) => p.message).join('\n');
  }
  override toDOM(): Node {
    const el = document.createElement('span');
    const error = this.problems.some((p) => p.severity === 'error');
    el.className = `sb-cql-marker ${error ? 'sb-cql-marker-error' : 'sb-cql-marker-warning'}`;
    el.textContent = error ? '●' : '▲';
    el.title = this.problems.map((p) => `${p.severity}: ${p.message}`).join('\n');
    el.setAttribute('data-testid', 'cql-problem-marker');
    el.setAttribute('data-line', String(this.problems[0]?.line ?? ''));
    return el;
  }
}

interface ProblemState {
  decorations: DecorationSet;
  markers: RangeSet<GutterMarker>;
}

function build(view: { doc: EditorView['state']['doc'] }, problems: EditorProblem[]): ProblemState {
  const doc = view.doc;
  const decos: Range<Decoration>[] = [];
  const byLine = new Map<number, EditorProblem[]>();
  for (const p of problems) {
    if (p.line == null || p.line < 1) continue;
    const n = Math.min(p.line, doc.lines);
    byLine.set(n, [...(byLine.get(n) ?? []), p]);
  }
  const markers: Range<GutterMarker>[] = [];
  for (const [n, ps] of [...byLine.entries()].sort((a, b) => a[0] - b[0])) {
    const line = doc.line(n);
    const error = ps.some((p) => p.severity === 'error');
    decos.push(Decoration.line({ class: error ? 'sb-cql-line-error' : 'sb-cql-line-warning', attributes: { 'data-problem-line': String(n), title: ps.map((p) => p.message).join('\n') } }).range(line.from));
    for (const p of ps) {
      const from = Math.min(line.to, line.from + Math.max(0, (p.column ?? 1) - 1));
      const word = /^[\w"'`.]+/.exec(doc.sliceString(from, line.to))?.[0].length ?? 0;
      const to = Math.min(line.to, from + Math.max(1, word));
      if (to > from) decos.push(Decoration.mark({ class: p.severity === 'error' ? 'sb-cql-range-error' : 'sb-cql-range-warning' }).range(from, to));
    }
    markers.push(new ProblemMarker(ps).range(line.from));
  }
  return { decorations: Decoration.set(decos, true), markers: RangeSet.of(markers, true) };
}

const field = StateField.define<ProblemState>({
  create: () => ({ decorations: Decoration.none, markers: RangeSet.empty }),
  update(value, tr) {
    let next = { decorations: value.decorations.map(tr.changes), markers: value.markers.map(tr.changes) };
    for (const e of tr.effects) if (e.is(setProblems)) next = build(tr.state, e.value);
    return next;
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.decorations),
});

const theme = EditorView.baseTheme({
  '.sb-cql-line-error': { backgroundColor: 'rgba(250, 82, 82, 0.12)' },
  '.sb-cql-line-warning': { backgroundColor: 'rgba(250, 176, 5, 0.12)' },
  '.sb-cql-range-error': { textDecoration: 'underline wavy #e03131' },
  '.sb-cql-range-warning': { textDecoration: 'underline wavy #f08c00' },
  '.sb-cql-marker': { cursor: 'help', fontSize: '10px', padding: '0 2px' },
  '.sb-cql-marker-error': { color: '#e03131' },
  '.sb-cql-marker-warning': { color: '#f08c00' },
});

/** The editor extension: problem state, its gutter and styles. */
export const cqlProblems: Extension = [field, gutter({ class: 'sb-cql-gutter', markers: (v) => v.state.field(field).markers }), theme];

/** Replaces the marked problems (an empty list clears them). */
export function showProblems(view: EditorView, problems: EditorProblem[]): void {
  view.dispatch({ effects: setProblems.of(problems) });
}
