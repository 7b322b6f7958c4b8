"""Llama sentencepiece-style BPE tokenizer from a GGUF vocab or a llama2.c tok*.bin.

Why our own: the trainer must turn the dataset into exactly the token ids llama.cpp will feed the exported
model, with the standard library only. The algorithm is llama2.c's encode (and llama.cpp's SPM tokenizer):
optional BOS, a dummy-prefix space, one symbol per UTF-8 character (a character not in the vocab falls back to
its bytes as <0xNN> tokens), then repeatedly merge the adjacent pair whose concatenation is in the vocab with
the highest score (leftmost on ties). A heap keeps the merge loop O(n log n) instead of llama2.c's O(n^2).
GGUF pieces spell a space as U+2581 ("▁"); llama2.c's tok*.bin spells it " "; both become " " here.
"""
import heapq
import re
import struct

from errors import FinetuneError

_BYTE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")
SPACE_MARK = "\u2581"


class Tokenizer:
    def __init__(self, pieces, scores, bos_id=1, eos_id=2, types=None):
        self.pieces, self.scores, self.bos_id, self.eos_id = pieces, scores, bos_id, eos_id
        self.types = types or [1] * len(pieces)
        self.lookup = {}
        self.byte_ids = {}
        for i, p in enumerate(pieces):
            m = _BYTE.match(p)
            if m and (types is None or self.types[i] == 6):
                self.byte_ids[int(m.group(1), 16)] = i
            elif self.types[i] in (1, 4) or types is None:
                self.lookup.setdefault(p, i)

    @property
    def vocab_size(self):
        return len(self.pieces)

    def encode(self, text, bos=True, eos=False):
        ids = [self.bos_id] if bos else []
        if text:
            syms = []
            if " " in self.lookup:
                syms.append(" ")
            for ch in text:
                if ch in self.lookup:
                    syms.append(ch)
                else:
                    syms.extend(bytes([b]) for b in ch.encode("utf-8"))
            ids.extend(self._merge(syms))
        if eos:
            ids.append(self.eos_id)
        return ids

    def _merge(self, syms):
        n = len(syms)
        nxt, prv, alive = list(range(1, n + 1)), list(range(-1, n - 1)), [True] * n
        heap = []

        def push(i, j):
            if 0 <= i and j < n and isinstance(syms[i], str) and isinstance(syms[j], str):
                merged = syms[i] + syms[j]
                tid = self.lookup.get(merged)
                if tid is not None:
                    heapq.heappush(heap, (-self.scores[tid], i, j, merged))

        for i in range(n - 1):
            push(i, i + 1)
        while heap:
            _, i, j, merged = heapq.heappop(heap)
            if not (alive[i] and alive[j] and nxt[i] == j and syms[i] + syms[j] == merged):
                continue
            syms[i], alive[j] = merged, False
            nxt[i] = nxt[j]
            if nxt[j] < n:
                prv[nxt[j]] = i
            push(prv[i], i)
            push(i, nxt[i])
        out = []
        for i in range(n):
            if alive[i]:
                s = syms[i]
                if isinstance(s, bytes):
                    if s[0] not in self.byte_ids:
                        raise FinetuneError("FINETUNE_BAD_TOKENIZER", "the vocab has no byte-fallback token for byte 0x%02X" % s[0],
                                            field="base.tokenizer", fix="Use a llama tokenizer with <0x00>…<0xFF> byte tokens.")
                    out.append(self.byte_ids[s[0]])
                else:
                    out.append(self.lookup[s])
        return out

    def decode(self, ids):
        """Text of the ids: control tokens dropped, byte tokens joined as UTF-8, the dummy-prefix space removed."""
        inv_bytes = {v: k for k, v in self.byte_ids.items()}
        buf = bytearray()
        for i in ids:
            if i in inv_bytes:
                buf.append(inv_bytes[i])
            elif self.types[i] in (1, 4) and i not in (self.bos_id, self.eos_id):
                buf.extend(self.pieces[i].encode("utf-8"))
        text = buf.decode("utf-8", errors="replace")
        return text[1:] if text.startswith(" ") else text


def from_gguf(g):
    tokens = g.get("tokenizer.ggml.tokens")
    model = g.get("tokenizer.ggml.model")
    if not tokens or model not in ("llama", None):
        raise FinetuneError("FINETUNE_BAD_TOKENIZER", "%s has tokenizer %r; the trainer reads llama (sentencepiece) vocabs"
                            % (g.path, model), field="base.path", fix="Use a llama GGUF with a sentencepiece vocab.")
    scores = g.get("tokenizer.ggml.scores") or [0.0] * len(tokens)
    types = g.get("tokenizer.ggml.token_type")
    return Tokenizer([t.replace(SPACE_MARK, " ") for t in tokens], scores,
                     g.get("tokenizer.ggml.bos_token_id", 1), g.get("tokenizer.ggml.eos_token_id", 2), types)


def read_llama2c_tokenizer(path, vocab_size=None):
    """tok*.bin: int32 max_token_length, then per token float32 score, int32 length, bytes (to EOF)."""
    with open(path, "rb") as f:
        data = f.read()
    pieces, scores, pos = [], [], 4
    try:
        while pos < len(data) and (vocab_size is None or len(pieces) < vocab_size):
            score, n = struct.unpack_from("<fi", data, pos)
            pieces.append(data[pos + 8:pos + 8 + n].decode("utf-8", errors="replace"))
            scores.append(score)
            pos += 8 + n
            if n < 0 or pos > len(data):
                raise struct.error("bad length")
    except struct.error:
        raise FinetuneError("FINETUNE_BAD_TOKENIZER", "%s is not a llama2.c tokenizer file" % path, field="base.tokenizer",
                            fix="Give the tok*.bin written by llama2.c's tokenizer.py for this checkpoint.")
    if vocab_size is not None and len(pieces) != vocab_size:
        raise FinetuneError("FINETUNE_BAD_TOKENIZER", "%s has %d tokens; the checkpoint's vocab is %d" % (path, len(pieces), vocab_size),
                            field="base.tokenizer", fix="Give the tokenizer the checkpoint was trained with.")
    return pieces, scores


def gguf_token_types(pieces, bos_id=1, eos_id=2, unk_id=0):
    """GGUF token types for a llama2.c vocab: 2 unknown, 3 control (BOS/EOS), 6 byte, 1 normal."""
    return [2 if i == unk_id else 3 if i in (bos_id, eos_id) else 6 if _BYTE.match(p) else 1 for i, p in enumerate(pieces)]


def from_llama2c(path, vocab_size=None):
    pieces, scores = read_llama2c_tokenizer(path, vocab_size)
    return Tokenizer(pieces, scores, 1, 2, gguf_token_types(pieces))
