package io.mbllm.engine.tokenizer;

import java.util.PriorityQueue;

/**
 * SentencePiece-style tokenizer ({@code tokenizer.ggml.model = llama}): spaces become U+2581, a space is
 * prefixed to text that starts the input or follows a special token, then adjacent symbols (initially UTF-8
 * characters) are merged greedily, highest token score first (ties: leftmost), while the merged text is a
 * token. Symbols that are not tokens fall back to {@code <0xXX>} byte tokens. O(n log n) in the input length.
 */
public final class SpmTokenizer extends VocabTokenizer {
    /** Byte-fallback id per byte value, -1 when the vocabulary has none. */
    private final int[] byteIds = new int[256];

    SpmTokenizer(Vocabulary vocab) {
        super(vocab, VocabType.SPM, "an SPM");
        for (int b = 0; b < 256; b++) {
            int id = index.id(String.format("<0x%02X>", b));
            if (id < 0) id = index.id(String.valueOf((char) b));
            if (id < 0) id = vocab.special().unk();
            byteIds[b] = id;
        }
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        Vocabulary v = index.vocab;
        IntList out = new IntList(text.length() / 2 + 4);
        if (addSpecial && v.flags().addBos()) out.add(required(v.special().bos(), "BOS"));
        boolean prevSpecial = true;
        for (Fragment f : index.partition(ByteText.utf8(text), parseSpecial)) {
            switch (f) {
                case Fragment.Token(int id) -> {
                    out.add(id);
                    prevSpecial = true;
                }
                case Fragment.Text(String bytes) -> {
                    String s = v.flags().addSpacePrefix() && prevSpecial ? " " + bytes : bytes;
                    tokenize(s.replace(" ", VocabIndex.ESCAPED_SPACE), out);
                    prevSpecial = false;
                }
            }
        }
        if (addSpecial && v.flags().addEos()) out.add(required(v.special().eos(), "EOS"));
        return out.toArray();
    }

    static int required(int id, String what) {
        if (id < 0) throw new TokenizerException("the vocabulary asks for " + what + " but has no " + what + " token");
        return id;
    }

    private record Bigram(int left, int right, float score, int size) {}

    private void tokenize(String s, IntList out) {
        int n = s.length();
        if (n == 0) return;
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        int count = 0;
        for (int off = 0; off < n; ) {
            int l = Math.min(Unicode.utf8Len(s.charAt(off)), n - off);
            start[count] = off;
            len[count] = l;
            prev[count] = count - 1;
            off += l;
            next[count] = off == n ? -1 : count + 1;
            count++;
        }
        float[] scores = index.vocab.scores();
        PriorityQueue<Bigram> queue = new PriorityQueue<>(Math.max(1, count), (a, b) -> {
            int c = Float.compare(b.score, a.score);
            return c != 0 ? c : Integer.compare(a.left, b.left);
        });
        for (int i = 1; i < count; i++) addBigram(s, start, len, i - 1, i, scores, queue);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            int l = b.left, r = b.right;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != b.size) continue;
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            addBigram(s, start, len, prev[l], l, scores, queue);
            addBigram(s, start, len, l, next[l], scores, queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String piece = s.substring(start[i], start[i] + len[i]);
            int id = index.id(piece);
            if (id >= 0) {
                out.add(id);
            } else {
                for (int k = 0; k < piece.length(); k++) out.add(byteToken(piece.charAt(k)));
            }
        }
    }

    private void addBigram(String s, int[] start, int[] len, int left, int right, float[] scores,
                           PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) return;
        int size = len[left] + len[right];
        int id = index.id(s.substring(start[left], start[left] + size));
        if (id < 0) return;
        queue.add(new Bigram(left, right, scores[id], size));
    }

    private int byteToken(char b) {
        int id = byteIds[b & 0xFF];
        if (id < 0) {
            throw new TokenizerException("vocabulary has no byte-fallback token for byte 0x"
                    + Integer.toHexString(b) + " and no unknown token");
        }
        return id;
    }
}
