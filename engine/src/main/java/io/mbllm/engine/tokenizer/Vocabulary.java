package io.mbllm.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A tokenizer vocabulary as read from GGUF metadata ({@code shared/docs/gguf.md} §4.3), with llama.cpp's
 * load-time resolution applied: per-model defaults, metadata overrides, special tokens found by their text,
 * token attributes and the end-of-generation set (llama-vocab.cpp, {@code llama_vocab::impl::load}).
 *
 * <p>Token texts and merges are raw UTF-8 bytes. Arrays are shared, not copied: treat them as read-only.
 *
 * @param type         the algorithm
 * @param pre          {@code tokenizer.ggml.pre} as stored ("" when absent)
 * @param preTokenizer the BPE pre-tokenizer (null for SPM and WPM)
 * @param tokens       token id to text
 * @param scores       token id to SPM score (zeros when absent)
 * @param attrs        token id to {@link TokenAttr} bits
 * @param merges       BPE merges in rank order ("left right"); empty for SPM and WPM
 * @param special      special token ids
 * @param flags        behaviour switches
 * @param eogIds       the end-of-generation ids, ascending
 */
public record Vocabulary(VocabType type, String pre, PreTokenizerType preTokenizer, List<byte[]> tokens,
                         float[] scores, int[] attrs, List<byte[]> merges, SpecialIds special, VocabFlags flags,
                         int[] eogIds) {

    private static final String K = "tokenizer.ggml.";

    /** Number of tokens. */
    public int size() {
        return tokens.size();
    }

    /** The token's text as UTF-8 bytes. */
    public byte[] tokenBytes(int id) {
        return tokens.get(id);
    }

    /** The token's text decoded as UTF-8 (for display). */
    public String tokenText(int id) {
        return new String(tokens.get(id), StandardCharsets.UTF_8);
    }

    /** Builds the vocabulary from a GGUF file's metadata; throws {@link TokenizerException} for unsupported input. */
    public static Vocabulary from(io.mbllm.gguf.GgufMetadata metadata) {
        return fromMetadata(new GgufTokenizerMetadata(metadata));
    }

    /** Builds the vocabulary from tokenizer metadata; throws {@link TokenizerException} for unsupported input. */
    public static Vocabulary fromMetadata(TokenizerMetadata md) {
        String model = md.string(K + "model").orElseThrow(
                () -> new TokenizerException("missing key " + K + "model"));
        String pre = md.string(K + "pre").orElse("");
        VocabType type = switch (model) {
            case "llama" -> VocabType.SPM;
            case "gpt2" -> VocabType.BPE;
            case "bert" -> VocabType.WPM;
            default -> throw new TokenizerException("unsupported tokenizer model '" + model
                    + "' (tokenizer.ggml.model); supported: llama, gpt2, bert");
        };

        // defaults per model type
        int bos, eos, unk, sep = -1, pad = -1, mask = -1;
        boolean addSpacePrefix = false, addBos, addEos = false, addSep = false, ignoreMerges = false;
        boolean cleanSpaces;
        PreTokenizerType preType = null;
        List<byte[]> merges = List.of();
        switch (type) {
            case SPM -> {
                bos = 1; eos = 2; unk = 0;
                addSpacePrefix = true; cleanSpaces = false; addBos = true;
            }
            case WPM -> {
                bos = 101; eos = -1; unk = 100; sep = 102; pad = 0; mask = 103;
                cleanSpaces = true; addBos = true; addSep = true;
            }
            default -> {
                merges = md.stringArray(K + "merges").orElseThrow(
                        () -> new TokenizerException("BPE vocabulary without " + K + "merges"));
                bos = 11; eos = 11; unk = -1;
                preType = PreTokenizerType.byName(pre).orElseThrow(() -> new TokenizerException(
                        "unknown pre-tokenizer '" + pre + "' (" + K + "pre); supported: "
                                + String.join(", ", PreTokenizerType.supportedNames())));
                cleanSpaces = preType.cleanSpaces();
                ignoreMerges = preType.ignoreMerges();
                addBos = preType.addBos();
            }
        }
        addSpacePrefix = md.bool(K + "add_space_prefix").orElse(addSpacePrefix);
        boolean removeExtraWs = md.bool(K + "remove_extra_whitespaces").orElse(false);

        // tokens, scores, types
        List<byte[]> tokens = new ArrayList<>(md.stringArray(K + "tokens").orElseThrow(
                () -> new TokenizerException("missing key " + K + "tokens")));
        int n = tokens.size();
        if (n == 0) throw new TokenizerException("empty vocabulary (" + K + "tokens)");
        float[] scores = md.floatArray(K + "scores").orElse(null);
        if (scores != null && scores.length < n) {
            throw new TokenizerException(K + "scores has " + scores.length + " entries for " + n + " tokens");
        }
        scores = scores == null ? new float[n] : Arrays.copyOf(scores, n);
        int[] types = md.intArray(K + "token_type").orElse(null);
        if (types != null && types.length < n) {
            throw new TokenizerException(K + "token_type has " + types.length + " entries for " + n + " tokens");
        }
        int[] attrs = new int[n];
        Map<String, Integer> byText = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            if (tokens.get(i).length == 0) {
                tokens.set(i, ("[EMPTY_" + i + "]").getBytes(StandardCharsets.UTF_8));
            }
            attrs[i] = types == null ? TokenAttr.NORMAL : TokenAttr.fromGgufType(types[i]);
            if (byText.put(ByteText.of(tokens.get(i)), i) != null) {
                throw new TokenizerException("duplicate token text at id " + i + " in " + K + "tokens");
            }
        }

        // special ids: defaults out of range are disabled; metadata values out of range are ignored
        int[] ids = {bos, eos, -1, -1, unk, sep, pad, mask, -1, -1, -1, -1, -1, -1};
        String[] keys = {"bos_token_id", "eos_token_id", "eot_token_id", "eom_token_id", "unknown_token_id",
                "seperator_token_id", "padding_token_id", "mask_token_id", "fim_pre_token_id",
                "fim_suf_token_id", "fim_mid_token_id", "fim_pad_token_id", "fim_rep_token_id",
                "fim_sep_token_id", "prefix_token_id", "suffix_token_id", "middle_token_id"};
        for (int k = 0; k < keys.length; k++) {
            int slot = k < 14 ? k : k - 6; // deprecated prefix/suffix/middle map to fim pre/suf/mid
            if (ids[slot] >= n) ids[slot] = -1;
            Long v = md.integer(K + keys[k]).orElse(null);
            if (v != null && v >= 0 && v < n) ids[slot] = (int) (long) v;
        }
        addBos = md.bool(K + "add_bos_token").orElse(addBos);
        addEos = md.bool(K + "add_eos_token").orElse(addEos);
        addSep = md.bool(K + "add_sep_token").orElse(addSep);
        boolean lowercase = md.bool(K + "normalizer.lowercase").orElse(true);
        boolean stripAccents = md.bool(K + "normalizer.strip_accents").orElse(lowercase);

        // special tokens recognised by their text (the first listed text present wins)
        ids[2] = detect(ids[2], byText, attrs, SpecialTexts.EOT);
        ids[3] = detect(ids[3], byText, attrs, SpecialTexts.EOM);
        ids[8] = detect(ids[8], byText, attrs, SpecialTexts.FIM_PRE);
        ids[9] = detect(ids[9], byText, attrs, SpecialTexts.FIM_SUF);
        ids[10] = detect(ids[10], byText, attrs, SpecialTexts.FIM_MID);
        ids[11] = detect(ids[11], byText, attrs, SpecialTexts.FIM_PAD);
        ids[12] = detect(ids[12], byText, attrs, SpecialTexts.FIM_REP);
        ids[13] = detect(ids[13], byText, attrs, SpecialTexts.FIM_SEP);

        for (int i = 0; i < n; i++) {
            if ((attrs[i] & TokenAttr.CONTROL) != 0
                    && new String(tokens.get(i), StandardCharsets.ISO_8859_1).contains("unused")) {
                attrs[i] |= TokenAttr.UNUSED;
            }
        }

        TreeSet<Integer> eog = new TreeSet<>();
        for (int slot : new int[] {11, 12, 13}) if (ids[slot] >= 0) eog.add(ids[slot]);
        for (String text : SpecialTexts.EOG) {
            Integer id = byText.get(ByteText.utf8(text));
            if (id != null) {
                eog.add(id);
                attrs[id] |= TokenAttr.CONTROL;
            }
        }
        for (String text : SpecialTexts.ALWAYS_RENDERED) {
            Integer id = byText.get(ByteText.utf8(text));
            if (id != null) attrs[id] = TokenAttr.USER_DEFINED;
        }
        for (int slot : new int[] {1, 2, 3}) if (ids[slot] >= 0) eog.add(ids[slot]);
        dropConditionalEog(eog, tokens, attrs);

        // phi-3 models strip whitespace right of their special tokens
        String name = md.string("general.name").orElse("").toLowerCase(java.util.Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            int special = TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN;
            for (int i = 0; i < n; i++) if ((attrs[i] & special) != 0) attrs[i] |= TokenAttr.RSTRIP;
            setRstrip(byText, attrs, "</s>", true);
            for (String t : List.of("<unk>", "<s>", "<|endoftext|>")) setRstrip(byText, attrs, t, false);
        }

        SpecialIds special = new SpecialIds(ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7],
                ids[8], ids[9], ids[10], ids[11], ids[12], ids[13]);
        VocabFlags flags = new VocabFlags(addSpacePrefix, addBos, addEos, addSep, ignoreMerges, cleanSpaces,
                removeExtraWs, lowercase, stripAccents);
        return new Vocabulary(type, pre, preType, List.copyOf(tokens), scores, attrs, List.copyOf(merges),
                special, flags, eog.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int detect(int current, Map<String, Integer> byText, int[] attrs, List<String> texts) {
        if (current >= 0) return current;
        for (String t : texts) {
            Integer id = byText.get(ByteText.utf8(t));
            if (id != null) {
                attrs[id] |= TokenAttr.CONTROL;
                return id;
            }
        }
        return -1;
    }

    private static void setRstrip(Map<String, Integer> byText, int[] attrs, String text, boolean on) {
        Integer id = byText.get(ByteText.utf8(text));
        if (id == null) return;
        attrs[id] = on ? attrs[id] | TokenAttr.RSTRIP : attrs[id] & ~TokenAttr.RSTRIP;
    }

    /**
     * Two exceptions llama.cpp makes: with {@code <|return|>} and {@code <|call|>} (or {@code <|calls|>} and
     * {@code <|flush|>}) present, {@code <|end|>} ends a message, not the generation; with
     * {@code <|tool_response>} present, {@code </s>} is an ordinary token.
     */
    private static void dropConditionalEog(TreeSet<Integer> eog, List<byte[]> tokens, int[] attrs) {
        int end = -1, slash = -1;
        boolean ret = false, call = false, flush = false, toolResponse = false;
        for (int id : eog) {
            String t = new String(tokens.get(id), StandardCharsets.UTF_8);
            switch (t) {
                case "<|return|>" -> ret = true;
                case "<|call|>", "<|calls|>" -> call = true;
                case "<|flush|>" -> flush = true;
                case "<|end|>" -> end = id;
                case "<|tool_response>" -> toolResponse = true;
                case "</s>" -> slash = id;
                default -> { }
            }
        }
        if (end >= 0 && call && (ret || flush)) {
            eog.remove(end);
            attrs[end] = TokenAttr.USER_DEFINED;
        }
        if (toolResponse && slash >= 0) {
            eog.remove(slash);
            attrs[slash] = TokenAttr.NORMAL;
        }
    }
}
