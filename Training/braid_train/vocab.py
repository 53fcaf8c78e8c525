"""The vocabulary: one token per printable ASCII character and newline, one end-of-text control token,
and whole-phrase tokens for the fixed words of the search-trace grammar (APR's and SoS+'s line formats).

The phrases are GGUF "user-defined" tokens, which BraidTransformer's tokenizer (like llama.cpp's) finds
whole in text, leftmost-longest, before spelling the rest character by character. `encode` below is that
same algorithm, so PyTorch and Braid tokenize every string identically (checked by check_export.py).
No phrase contains a newline: the runtime appends text (join blocks, prompts) only after a newline, so a
phrase can never straddle the seam between what was encoded separately.
"""

END_OF_TEXT = "<|endoftext|>"

# Fixed words of the trace grammar (Docs/countdown.md §3), the longest and most frequent first in mind;
# matching order is by length, so the list order does not matter.
PHRASES = [
    "Current State: ", ", Operations: [", "Exploring Operation: ", ", Resulting Numbers: [",
    "Generated Node #", " Operation: ", "Moving to Node #", " unequal: No Solution", " equal: Goal Reached",
    "No solution found.",
    # APR spawn / join
    "<Calling Sub Searches>", "<End Calling Sub Searches>", "<Start Sub Search ", " at level 1> Moving to Node #",
    "<Sub Searches>", "<End Sub Searches>", "<Goal Reached in Sub Search ", "<No Solution in Sub Search ",
    " at level 1 at Node #",
    # SoS+ inline sub-searches
    "Start Sub Search at level ", ": Moving to Node #", "Exit Sub Search at level ", "No solution found in sub search",
]

# ParaThinker's control tokens (its <think1>..</think8>, <summary>, </summary>) and the fixed words of its forced
# summary opening (Graphs/countdown-parathinker.yaml), appended after the shared tokens only in the
# parathinker model's vocabulary, so ids 0..119 mean the same in every model (a parathinker run can start
# from the sequential model's weights). User-defined like the phrases: Braid finds them whole in forced
# prefixes and stop strings, and decodes them to their text, where stop strings are looked for.
SUMMARY_OPENING = "By analyzing multiple reasoning processes above, I concluded that: The final answer is"
PARATHINKER_TOKENS = ([t for i in range(1, 9) for t in (f"<think{i}>", f"</think{i}>")]
                      + ["<summary>", "</summary>", SUMMARY_OPENING, " \\boxed{"])

# GGUF token types (llama.cpp numbering).
NORMAL, CONTROL, USER_DEFINED = 1, 3, 4


def _byte_level_spelling(ch: str) -> str:
    """GPT-2's byte-level alphabet for one ASCII character: printable ones stand for themselves, the
    others (space, newline, ...) are shifted to U+0100 + their rank among the non-printable bytes."""
    b = ord(ch)
    printable = lambda x: 0x21 <= x <= 0x7E or 0xA1 <= x <= 0xAC or 0xAE <= x <= 0xFF
    if printable(b):
        return ch
    rank = sum(1 for x in range(b) if not printable(x))
    return chr(256 + rank)


class Vocabulary:
    """Token texts, GGUF types and the encoder/decoder."""

    def __init__(self, parathinker=False):
        chars = ["\n"] + [chr(c) for c in range(0x20, 0x7F)]
        phrases = list(PHRASES) + (PARATHINKER_TOKENS if parathinker else [])
        self.pieces = [END_OF_TEXT] + chars + phrases          # raw text of each token
        self.types = [CONTROL] + [NORMAL] * len(chars) + [USER_DEFINED] * len(phrases)
        self.eos = 0
        self.char_id = {ch: 1 + i for i, ch in enumerate(chars)}
        # Phrases by first character, longest first (leftmost-longest matching).
        self._phrases = {}
        for i, p in enumerate(phrases):
            self._phrases.setdefault(p[0], []).append((p, 1 + len(chars) + i))
        for v in self._phrases.values():
            v.sort(key=lambda t: -len(t[0]))

    @staticmethod
    def of_size(n):
        """The vocabulary a model with `n` embedding rows was trained with."""
        for v in (Vocabulary(), Vocabulary(parathinker=True)):
            if len(v) == n:
                return v
        raise ValueError(f"no vocabulary has {n} tokens")

    def id(self, piece):
        """The id of one whole token (a phrase or control token)."""
        return self.pieces.index(piece)

    def __len__(self):
        return len(self.pieces)

    def gguf_tokens(self):
        """Token strings as GGUF stores them: normal tokens byte-level spelled, the others as written."""
        return [_byte_level_spelling(p) if t == NORMAL else p for p, t in zip(self.pieces, self.types)]

    def encode(self, text: str):
        """Ids of `text`: phrases (and the end-of-text marker) whole, leftmost-longest, else one id per
        character. Characters outside the vocabulary are an error (the traces never contain any)."""
        ids, i, n = [], 0, len(text)
        while i < n:
            if text.startswith(END_OF_TEXT, i):
                ids.append(self.eos)
                i += len(END_OF_TEXT)
                continue
            for phrase, pid in self._phrases.get(text[i], ()):
                if text.startswith(phrase, i):
                    ids.append(pid)
                    i += len(phrase)
                    break
            else:
                cid = self.char_id.get(text[i])
                if cid is None:
                    raise ValueError(f"character {text[i]!r} at offset {i} is not in the vocabulary")
                ids.append(cid)
                i += 1
        return ids

    def decode(self, ids):
        return "".join(self.pieces[i] for i in ids)
