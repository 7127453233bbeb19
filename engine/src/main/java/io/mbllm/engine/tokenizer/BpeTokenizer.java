package io.mbllm.engine.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}): the text is split by the vocabulary's pre-tokenizer
 * ({@link PreTokenizerType}), each word is mapped to the GPT-2 byte alphabet, and adjacent symbols are merged
 * lowest merge rank first (ties: leftmost) using a priority queue over a linked list of symbols.
 */
public final class BpeTokenizer extends VocabTokenizer {
    private static final char PAIR_SEPARATOR = 0xFF; // never a byte of valid UTF-8

    private final Map<String, Integer> ranks;
    private final List<SplitRule> rules;

    BpeTokenizer(Vocabulary vocab) {
        super(vocab, VocabType.BPE, "a BPE");
        this.rules = vocab.preTokenizer().rules();
        List<byte[]> merges = vocab.merges();
        ranks = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) {
            String m = ByteText.of(merges.get(i));
            int sp = m.indexOf(' ', 1);
            String key = sp < 0 ? PAIR_SEPARATOR + "" : m.substring(0, sp) + PAIR_SEPARATOR + m.substring(sp + 1);
            ranks.putIfAbsent(key, i);
        }
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        Vocabulary v = index.vocab;
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial && v.flags().addBos()) out.add(SpmTokenizer.required(v.special().bos(), "BOS"));
        for (Fragment f : index.partition(ByteText.utf8(text), parseSpecial)) {
            switch (f) {
                case Fragment.Token(int id) -> out.add(id);
                case Fragment.Text(String bytes) -> tokenize(bytes, out);
            }
        }
        if (addSpecial && v.flags().addEos()) out.add(SpmTokenizer.required(v.special().eos(), "EOS"));
        return out.toArray();
    }

    /** The pre-tokenized words of a text fragment (byte text in, Java strings out), for tests and tools. */
    List<String> words(String text) {
        int[] cps = text.codePoints().toArray();
        int[] segments = {cps.length};
        for (SplitRule r : rules) segments = r.split(cps, segments);
        List<String> words = new java.util.ArrayList<>();
        int at = 0;
        for (int len : segments) {
            words.add(new String(cps, at, len));
            at += len;
        }
        return words;
    }

    private void tokenize(String bytes, IntList out) {
        int[] cps = Unicode.codepoints(bytes);
        int[] segments = {cps.length};
        for (SplitRule r : rules) segments = r.split(cps, segments);
        int at = 0;
        StringBuilder utf8 = new StringBuilder();
        StringBuilder word = new StringBuilder();
        for (int len : segments) {
            utf8.setLength(0);
            word.setLength(0);
            for (int k = at; k < at + len; k++) Unicode.appendUtf8(utf8, cps[k]);
            ByteLevel.encode(utf8.toString(), word);
            at += len;
            if (!word.isEmpty()) merge(word.toString(), out);
        }
    }

    private record Bigram(int left, int right, int rank, int size) {}

    private void merge(String w, IntList out) {
        if (index.vocab.flags().ignoreMerges()) {
            int id = index.id(w);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        int n = w.length();
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        int count = 0;
        for (int off = 0; off < n; ) {
            int l = Math.min(Unicode.utf8Len(w.charAt(off)), n - off);
            start[count] = off;
            len[count] = l;
            prev[count] = count - 1;
            off += l;
            next[count] = off == n ? -1 : count + 1;
            count++;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>(Math.max(1, count), (a, b) -> {
            int c = Integer.compare(a.rank, b.rank);
            return c != 0 ? c : Integer.compare(a.left, b.left);
        });
        for (int i = 1; i < count; i++) addBigram(w, start, len, i - 1, i, queue);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            int l = b.left, r = b.right;
            // stale: one side was merged away or grew since the pair was queued
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != b.size) continue;
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            addBigram(w, start, len, prev[l], l, queue);
            addBigram(w, start, len, l, next[l], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String piece = w.substring(start[i], start[i] + len[i]);
            int id = index.id(piece);
            if (id >= 0) {
                out.add(id);
            } else {
                // llama.cpp's fallback: single-byte tokens where they exist, other bytes are dropped
                for (int k = 0; k < piece.length(); k++) {
                    int b = index.id(String.valueOf(piece.charAt(k)));
                    if (b >= 0) out.add(b);
                }
            }
        }
    }

    private void addBigram(String w, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) return;
        int ls = start[left], rs = start[right];
        String key = w.substring(ls, ls + len[left]) + PAIR_SEPARATOR + w.substring(rs, rs + len[right]);
        Integer rank = ranks.get(key);
        if (rank == null) return;
        queue.add(new Bigram(left, right, rank, len[left] + len[right]));
    }
}
