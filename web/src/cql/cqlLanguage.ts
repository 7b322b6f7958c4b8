/** A small CQL highlighter for CodeMirror (keywords, strings, "quoted identifiers", comments, numbers). */
import { StreamLanguage, type StreamParser } from '@codemirror/language';

const KEYWORDS = new Set(
  (
    'library version using include called codesystem valueset code concept parameter default context define function returns ' +
    'public private fluent external if then else case when end and or xor not implies is as in contains exists from where return ' +
    'with without such that sort by asc desc ascending descending let union intersect except null true false ' +
    'Interval List Tuple Code Concept display starts ends during before after same or on properly includes included within all distinct flatten collapse expand'
  ).split(' '),
);

interface State {
  inComment: boolean;
}

const parser: StreamParser<State> = {
  startState: () => ({ inComment: false }),
  token(stream, state) {
    if (state.inComment) {
      if (stream.skipTo('*/')) {
        stream.match('*/');
        state.inComment = false;
      } else stream.skipToEnd();
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('/*')) {
      state.inComment = true;
      return 'comment';
    }
    if (stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match(/^'(?:[^'\\]|\\.)*'?/)) return 'string';
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'variableName.special';
    if (stream.match(/^`(?:[^`\\]|\\.)*`?/)) return 'variableName.special';
    if (stream.match(/^@[0-9T:.\-+Z]+/)) return 'number';
    if (stream.match(/^\d+(\.\d+)?/)) return 'number';
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*/)) return KEYWORDS.has(stream.current()) ? 'keyword' : 'variableName';
    stream.next();
    return null;
  },
};

export const cqlLanguage = StreamLanguage.define(parser);
