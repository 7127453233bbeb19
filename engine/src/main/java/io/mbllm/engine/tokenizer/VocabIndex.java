package io.mbllm.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every tokenizer needs from a {@link Vocabulary}: text-to-id lookup over byte text, the special tokens
 * in matching order, the rendered piece of every token, and llama.cpp's detokenizer (leading-space removal,
 * special-token handling, clean-up of spaces).
 */
final class VocabIndex {
    final Vocabulary vocab;
    private final Map<String, Integer> ids;
    private final String[] text;
    private final int[] specialOrder;
    private final byte[][] pieces;
    private final int maxTokenLength;

    VocabIndex(Vocabulary vocab) {
        this.vocab = vocab;
        int n = vocab.size();
        ids = new HashMap<>(n * 2);
        text = new String[n];
        int max = 0;
        for (int i = 0; i < n; i++) {
            text[i] = ByteText.of(vocab.tokenBytes(i));
            ids.put(text[i], i);
            max = Math.max(max, text[i].length());
        }
        maxTokenLength = max;
        int[] attrs = vocab.attrs();
        int specialMask = TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN;
        specialOrder = java.util.stream.IntStream.range(0, n)
                .filter(i -> (attrs[i] & specialMask) != 0)
                .boxed()
                .sorted(Comparator.<Integer>comparingInt(i -> -text[i].length()).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
        pieces = new byte[n][];
        for (int i = 0; i < n; i++) pieces[i] = renderPiece(i);
    }

    /** The id of a token given as byte text, or -1. */
    int id(String byteText) {
        Integer id = ids.get(byteText);
        return id == null ? -1 : id;
    }

    String text(int id) {
        return text[id];
    }

    int maxTokenLength() {
        return maxTokenLength;
    }

    int attr(int id) {
        return vocab.attrs()[id];
    }

    void checkId(int id) {
        if (id < 0 || id >= text.length) {
            throw new TokenizerException("token id " + id + " out of range [0, " + text.length + ")");
        }
    }

    /**
     * Splits the input at special tokens, longest token text first (llama.cpp's
     * {@code tokenizer_st_partition}). User-defined tokens are always matched; control and unknown tokens only
     * with {@code parseSpecial}. LSTRIP/RSTRIP tokens swallow adjacent whitespace.
     */
    List<Fragment> partition(String input, boolean parseSpecial) {
        List<Fragment> frags = new ArrayList<>();
        if (input.isEmpty()) return frags;
        frags.add(new Fragment.Text(input));
        int[] attrs = vocab.attrs();
        for (int id : specialOrder) {
            int a = attrs[id];
            if (!parseSpecial && (a & (TokenAttr.CONTROL | TokenAttr.UNKNOWN)) != 0) continue;
            String tok = text[id];
            List<Fragment> next = null;
            for (int f = 0; f < frags.size(); f++) {
                Fragment frag = frags.get(f);
                if (!(frag instanceof Fragment.Text(String s)) || s.indexOf(tok) < 0) {
                    if (next != null) next.add(frag);
                    continue;
                }
                if (next == null) next = new ArrayList<>(frags.subList(0, f));
                int from = 0;
                int end = s.length();
                while (from < end) {
                    int at = s.indexOf(tok, from);
                    if (at < 0) {
                        next.add(new Fragment.Text(s.substring(from, end)));
                        break;
                    }
                    int leftEnd = at;
                    if ((a & TokenAttr.LSTRIP) != 0) {
                        while (leftEnd > from && ByteText.isSpace(s.charAt(leftEnd - 1))) leftEnd--;
                    }
                    if (leftEnd > from) next.add(new Fragment.Text(s.substring(from, leftEnd)));
                    next.add(new Fragment.Token(id));
                    from = at + tok.length();
                    if ((a & TokenAttr.RSTRIP) != 0) {
                        while (from < end && ByteText.isSpace(s.charAt(from))) from++;
                    }
                }
            }
            if (next != null) frags = next;
        }
        return frags;
    }

    /** The piece of a token as llama.cpp renders it with {@code special = true}. */
    byte[] piece(int id) {
        return pieces[id];
    }

    /** The piece with {@code special = false}: control and unknown tokens render as nothing. */
    byte[] piece(int id, boolean special) {
        if (!special && (attr(id) & (TokenAttr.CONTROL | TokenAttr.UNKNOWN)) != 0) return new byte[0];
        return pieces[id];
    }

    private byte[] renderPiece(int id) {
        int a = attr(id);
        if ((a & (TokenAttr.CONTROL | TokenAttr.UNKNOWN | TokenAttr.USER_DEFINED)) != 0) {
            return vocab.tokenBytes(id);
        }
        if ((a & TokenAttr.NORMAL) != 0) {
            return switch (vocab.type()) {
                case BPE -> ByteLevel.decodeToken(text[id]);
                case SPM, WPM -> ByteText.bytes(text[id].replace(ESCAPED_SPACE, " "));
            };
        }
        if ((a & TokenAttr.BYTE) != 0 && vocab.type() != VocabType.WPM) {
            return new byte[] {(byte) byteTokenValue(text[id])};
        }
        return new byte[0];
    }

    /** U+2581 (SentencePiece's visible space) as byte text. */
    static final String ESCAPED_SPACE = ByteText.utf8("\u2581");

    /** The byte of a {@code <0xXX>} token (0 when the text is malformed). */
    static int byteTokenValue(String t) {
        if (t.length() < 5) return 0;
        try {
            return Integer.parseInt(t.substring(3, 5), 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * llama.cpp's detokenize: pieces concatenated, the leading space of the first piece removed for
     * space-prefix vocabs (unless it follows a skipped BOS), BOS/EOS dropped with {@code removeSpecial}, then
     * the space clean-up where the vocabulary asks for it.
     */
    byte[] detokenize(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        int from = 0;
        int to = tokens.length;
        for (int t : tokens) checkId(t);
        VocabFlags fl = vocab.flags();
        SpecialIds sp = vocab.special();
        boolean removeSpace = fl.addSpacePrefix();
        if (removeSpecial && fl.addBos() && to > 0 && tokens[0] == sp.bos()) {
            removeSpace = false;
            from++;
        }
        if (removeSpecial && fl.addEos() && to > from && tokens[to - 1] == sp.eos()) to--;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            byte[] p = piece(tokens[i], unparseSpecial);
            int skip = removeSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
            out.write(p, skip, p.length - skip);
            removeSpace = false;
        }
        byte[] raw = out.toByteArray();
        return fl.cleanSpaces() ? SpaceCleanup.apply(raw, 0, raw.length) : raw;
    }

    @Override
    public String toString() {
        return "VocabIndex[" + vocab.type() + ", " + text.length + " tokens, specials "
                + Arrays.toString(Arrays.copyOf(specialOrder, Math.min(4, specialOrder.length))) + "...]";
    }
}
