package io.mbllm.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Token-by-token detokenization for streaming output. Feed ids with {@link #accept(int)}; each call returns
 * only text that can no longer change: complete UTF-8 characters (a multi-byte character split across
 * byte-fallback or byte-level tokens is held back until it is complete) and, for vocabularies that clean up
 * spaces, only bytes past which the clean-up cannot reach. {@link #flush()} returns the rest. The concatenated
 * output equals {@link Tokenizer#decode(int[], boolean, boolean)} of all ids with the same flags (leading-space
 * removal for the first token, BOS/EOS removal, space clean-up included). Not thread-safe.
 */
public final class StreamingDetokenizer {
    private final Tokenizer tokenizer;
    private final boolean removeSpecial;
    private final boolean unparseSpecial;
    private final boolean cleanSpaces;
    private boolean first = true;
    private boolean removeSpace;
    private int heldEos = -1;
    /** Raw piece bytes not yet cleaned (only used with clean-up). */
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    /** Cleaned bytes not yet emitted because they end inside a UTF-8 character. */
    private byte[] pending = new byte[0];

    StreamingDetokenizer(Tokenizer tokenizer, boolean removeSpecial, boolean unparseSpecial) {
        this.tokenizer = tokenizer;
        this.removeSpecial = removeSpecial;
        this.unparseSpecial = unparseSpecial;
        VocabFlags fl = tokenizer.vocabulary().flags();
        this.cleanSpaces = fl.cleanSpaces();
        this.removeSpace = fl.addSpacePrefix();
    }

    /** Adds one token; returns the text that became final (possibly empty). */
    public String accept(int id) {
        if (id < 0 || id >= tokenizer.vocabSize()) {
            throw new TokenizerException("token id " + id + " out of range [0, " + tokenizer.vocabSize() + ")");
        }
        VocabFlags fl = tokenizer.vocabulary().flags();
        SpecialIds sp = tokenizer.vocabulary().special();
        if (first) {
            first = false;
            if (removeSpecial && fl.addBos() && id == sp.bos()) {
                removeSpace = false;
                return "";
            }
        }
        ByteArrayOutputStream add = new ByteArrayOutputStream();
        if (heldEos >= 0) {
            appendPiece(heldEos, add);
            heldEos = -1;
        }
        if (removeSpecial && fl.addEos() && id == sp.eos()) {
            heldEos = id; // dropped if it turns out to be the last token
        } else {
            appendPiece(id, add);
        }
        return emit(add.toByteArray(), false);
    }

    /** Ends the stream: returns everything still held back (incomplete UTF-8 becomes U+FFFD). */
    public String flush() {
        heldEos = -1;
        return emit(new byte[0], true);
    }

    private void appendPiece(int id, ByteArrayOutputStream out) {
        byte[] p = tokenizer.tokenPiece(id, unparseSpecial);
        int skip = removeSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
        removeSpace = false;
        out.write(p, skip, p.length - skip);
    }

    private String emit(byte[] bytes, boolean end) {
        byte[] ready;
        if (cleanSpaces) {
            raw.writeBytes(bytes);
            byte[] all = raw.toByteArray();
            int cut = end ? all.length : safeCut(all);
            ready = SpaceCleanup.apply(all, 0, cut);
            raw.reset();
            raw.write(all, cut, all.length - cut);
        } else {
            ready = bytes;
        }
        byte[] buf = concat(pending, ready);
        int complete = end ? buf.length : completeUtf8Prefix(buf);
        pending = Arrays.copyOfRange(buf, complete, buf.length);
        return new String(buf, 0, complete, StandardCharsets.UTF_8);
    }

    /**
     * The largest position where the cleaned text can be split: the bytes just before and at it are neither
     * space nor apostrophe, so no clean-up decision on either side depends on the other.
     */
    private static int safeCut(byte[] b) {
        for (int c = b.length - 1; c >= 2; c--) {
            if (plain(b[c]) && plain(b[c - 1]) && plain(b[c - 2])) return c;
        }
        return 0;
    }

    private static boolean plain(byte x) {
        return x != ' ' && x != '\'';
    }

    /** Length of the prefix that does not end in an unfinished UTF-8 sequence. */
    private static int completeUtf8Prefix(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int x = b[n - back] & 0xFF;
            if ((x & 0xC0) == 0x80) continue; // continuation byte: keep looking for the lead
            if (x >= 0xC0 && Unicode.utf8Len(x) > back) return n - back;
            return n;
        }
        return n;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        if (a.length == 0) return b;
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
