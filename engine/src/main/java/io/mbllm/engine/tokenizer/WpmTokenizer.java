package io.mbllm.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * WordPiece ({@code tokenizer.ggml.model = bert}): BERT normalisation (optional lowercasing and accent
 * stripping, control characters dropped, punctuation and CJK ideographs split off as words), then greedy
 * longest-match of each word prefixed with U+2581 against the vocabulary; a word with an unmatched rest
 * becomes the unknown token.
 */
public final class WpmTokenizer extends VocabTokenizer {

    WpmTokenizer(Vocabulary vocab) {
        super(vocab, VocabType.WPM, "a WordPiece");
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        Vocabulary v = index.vocab;
        IntList out = new IntList(text.length() / 3 + 4);
        // as in llama.cpp, WordPiece adds CLS (=BOS) and SEP whenever addSpecial is set
        if (addSpecial) out.add(SpmTokenizer.required(v.special().bos(), "BOS"));
        for (Fragment f : index.partition(ByteText.utf8(text), parseSpecial)) {
            switch (f) {
                case Fragment.Token(int id) -> out.add(id);
                case Fragment.Text(String bytes) -> tokenize(bytes, out);
            }
        }
        if (addSpecial) out.add(SpmTokenizer.required(v.special().sep(), "SEP"));
        return out.toArray();
    }

    private void tokenize(String bytes, IntList out) {
        int maxLen = index.maxTokenLength();
        for (String word : words(bytes)) {
            String w = VocabIndex.ESCAPED_SPACE + word;
            int n = w.length();
            int before = out.size();
            IntList found = new IntList(8);
            boolean ok = true;
            for (int i = 0; i < n && ok; ) {
                ok = false;
                for (int j = Math.min(n, i + maxLen + 1); j > i; j--) {
                    int id = index.id(w.substring(i, j));
                    if (id >= 0) {
                        found.add(id);
                        i = j;
                        ok = true;
                        break;
                    }
                }
            }
            if (ok && found.size() > 0) {
                for (int k = 0; k < found.size(); k++) out.add(found.get(k));
            }
            if (out.size() == before) out.add(index.vocab.special().unk());
        }
    }

    /** BERT pre-processing: the words of a text fragment, each as byte text. */
    private List<String> words(String bytes) {
        VocabFlags fl = index.vocab.flags();
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int cp : Unicode.codepoints(bytes)) {
            if (fl.stripAccents()) cp = Unicode.nfdFirst(cp);
            int f = Unicode.flags(cp);
            if ((f & Unicode.WHITESPACE) != 0) {
                if (!cur.isEmpty()) {
                    words.add(cur.toString());
                    cur.setLength(0);
                }
                continue;
            }
            int cat = f & Unicode.CATEGORIES;
            if (cp == 0 || cp == 0xFFFD || cat == Unicode.CONTROL) continue;
            if (fl.stripAccents() && cat == Unicode.MARK) continue;
            int c = fl.lowercase() ? Unicode.toLower(cp) : cp;
            if (cat == Unicode.PUNCTUATION || (cp < 0x7F && cat == Unicode.SYMBOL) || isChineseChar(cp)) {
                if (!cur.isEmpty()) {
                    words.add(cur.toString());
                    cur.setLength(0);
                }
                StringBuilder single = new StringBuilder(4);
                Unicode.appendUtf8(single, c);
                words.add(single.toString());
            } else {
                Unicode.appendUtf8(cur, c);
            }
        }
        if (!cur.isEmpty()) words.add(cur.toString());
        return words;
    }

    /** CJK ideograph blocks as BERT defines them (the extension-E bound follows HF's 0x2B920). */
    private static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
