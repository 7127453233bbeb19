package io.mbllm.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The BPE pre-tokenizers, selected by {@code tokenizer.ggml.pre}: the split rules applied in order, and the
 * vocabulary flags llama.cpp ties to the pre-tokenizer (llama-vocab.cpp, {@code llama_vocab::impl::load}).
 * The patterns are those of the models' own {@code tokenizer.json} pre-tokenizers.
 */
public enum PreTokenizerType {
    /** No or unknown-but-absent {@code tokenizer.ggml.pre}: llama.cpp's fallback (e.g. GPT-NeoX vocabs). */
    DEFAULT(List.of("default"), true, false, false, Rules.DEFAULT),
    /** GPT-2 and vocabs that reuse its pattern. */
    GPT2(List.of("gpt-2", "phi-2", "mpt", "olmo", "jais"), true, false, false, List.of(new SplitRule.Gpt2())),
    /** Falcon. */
    FALCON(List.of("falcon"), true, false, false, Rules.FALCON),
    /** StarCoder and code models with single-digit splitting. */
    STARCODER(List.of("starcoder", "refact", "codeshell", "minerva-7b"), true, false, false, Rules.STARCODER),
    /** Same rules as {@link #STARCODER}, without clean-up of spaces when decoding. */
    COMMAND_R(List.of("command-r", "smollm"), false, false, false, Rules.STARCODER),
    /** Llama 3 (merges are skipped for words that are whole tokens; BOS is added by default). */
    LLAMA3(List.of("llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral"), true, true, true,
            List.of(new SplitRule.Llama3(3))),
    /** The Llama-3 pattern without the Llama-3 flags. */
    DBRX(List.of("dbrx", "smaug-bpe"), true, false, false, List.of(new SplitRule.Llama3(3))),
    /** Qwen2 / Qwen2.5 (single digits). */
    QWEN2(List.of("qwen2", "deepseek-r1-qwen"), false, false, false, List.of(new SplitRule.Llama3(1))),
    /** StableLM-2 (Qwen2 pattern, spaces cleaned up when decoding). */
    STABLELM2(List.of("stablelm2"), true, false, false, List.of(new SplitRule.Llama3(1))),
    /** DeepSeek LLM. */
    DEEPSEEK_LLM(List.of("deepseek-llm"), false, false, false, Rules.DEEPSEEK_LLM),
    /** DeepSeek Coder. */
    DEEPSEEK_CODER(List.of("deepseek-coder"), false, false, false, Rules.DEEPSEEK_CODER);

    private final List<String> names;
    private final boolean cleanSpaces;
    private final boolean ignoreMerges;
    private final boolean addBos;
    private final List<SplitRule> rules;

    PreTokenizerType(List<String> names, boolean cleanSpaces, boolean ignoreMerges, boolean addBos,
                     List<SplitRule> rules) {
        this.names = names;
        this.cleanSpaces = cleanSpaces;
        this.ignoreMerges = ignoreMerges;
        this.addBos = addBos;
        this.rules = rules;
    }

    /** The {@code tokenizer.ggml.pre} values that select this pre-tokenizer. */
    public List<String> names() {
        return names;
    }

    /** Whether decoding removes spaces before punctuation and contractions (clean_up_tokenization_spaces). */
    public boolean cleanSpaces() {
        return cleanSpaces;
    }

    /** Whether a pre-tokenized word that is itself a token skips the merges. */
    public boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** The default of add_bos for this pre-tokenizer (BPE vocabs otherwise default to false). */
    public boolean addBos() {
        return addBos;
    }

    List<SplitRule> rules() {
        return rules;
    }

    /** The pre-tokenizer for a {@code tokenizer.ggml.pre} value; an empty value selects {@link #DEFAULT}. */
    public static Optional<PreTokenizerType> byName(String name) {
        if (name == null || name.isEmpty()) return Optional.of(DEFAULT);
        for (PreTokenizerType t : values()) {
            if (t.names.contains(name)) return Optional.of(t);
        }
        return Optional.empty();
    }

    /** Every supported {@code tokenizer.ggml.pre} value. */
    public static List<String> supportedNames() {
        List<String> all = new ArrayList<>();
        for (PreTokenizerType t : values()) all.addAll(t.names);
        return all;
    }

    /** Rule lists shared by several types (a holder, so the enum constants can refer to them). */
    private static final class Rules {

        static final List<SplitRule> DEFAULT = List.of(
                SplitRule.Regex.collapsed("[\\p{P}\\$\\+<=>\\^~\\|]+"),
                new SplitRule.Gpt2(),
                SplitRule.Regex.collapsed("\\p{N}+"),
                SplitRule.Regex.wide("[0-9][0-9][0-9]"));

        static final List<SplitRule> FALCON = List.of(
                SplitRule.Regex.collapsed("[\\p{P}\\$\\+<=>\\^~\\|`]+"),
                new SplitRule.Gpt2(),
                SplitRule.Regex.wide("[0-9][0-9][0-9]"));

        static final List<SplitRule> STARCODER = List.of(
                SplitRule.Regex.collapsed("\\p{N}"),
                new SplitRule.Gpt2());

        /** Letters of the DeepSeek-LLM word rule (the cased letters of its tokenizer.json pattern). */
        private static final int[][] DEEPSEEK_LETTERS = {
                {0x41, 0x5A}, {0x61, 0x7A}, {0xB5, 0xB5}, {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x1BA},
                {0x1BC, 0x1BF}, {0x1C4, 0x293}, {0x295, 0x2AF}, {0x370, 0x373}, {0x376, 0x377}, {0x37B, 0x37D},
                {0x37F, 0x37F}, {0x386, 0x386}, {0x388, 0x38A}, {0x38C, 0x38C}, {0x38E, 0x3A1}, {0x3A3, 0x3F5},
                {0x3F7, 0x481}, {0x48A, 0x52F}, {0x531, 0x556}, {0x10A0, 0x10C5}, {0x13A0, 0x13F5},
                {0x13F8, 0x13FD}, {0x1C90, 0x1CBA}, {0x1CBD, 0x1CBF}, {0x1D00, 0x1D2B}, {0x1D6B, 0x1D77},
                {0x1D79, 0x1D9A}, {0x1E00, 0x1F15}, {0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D},
                {0x1F50, 0x1F57}, {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D},
                {0x1F80, 0x1FB4}, {0x1FB6, 0x1FBC}, {0x1FBE, 0x1FBE}, {0x1FC2, 0x1FC4}, {0x1FC6, 0x1FCC},
                {0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB}, {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFC},
                {0x2102, 0x2102}, {0x2107, 0x2107}, {0x210A, 0x2113}, {0x2115, 0x2115}, {0x2119, 0x211D},
                {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128}, {0x212A, 0x212D}, {0x212F, 0x2134},
                {0x2139, 0x2139}, {0x213C, 0x213F}, {0x2145, 0x2149}, {0x214E, 0x214E}, {0x2183, 0x2184},
                {0x2C00, 0x2C7B}, {0x2C7E, 0x2CE4}, {0x2CEB, 0x2CEE}, {0x2CF2, 0x2CF3}, {0xA640, 0xA66D},
                {0xA680, 0xA69B}, {0xA722, 0xA76F}, {0xA771, 0xA787}, {0xA78B, 0xA78E}, {0xAB70, 0xABBF},
                {0xFB00, 0xFB06}, {0xFB13, 0xFB17}, {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0x10400, 0x1044F},
                {0x104B0, 0x104D3}, {0x104D8, 0x104FB}, {0x10C80, 0x10CB2}, {0x10CC0, 0x10CF2},
                {0x118A0, 0x118DF}, {0x1E900, 0x1E943}};

        /** CJK ideographs, a wide block below them, and Hangul syllables, as one run. */
        private static final String CJK_RUN = "[\\x{4E00}-\\x{9FA5}\\x{0800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";

        static final List<SplitRule> DEEPSEEK_LLM = List.of(
                SplitRule.Regex.wide("[\\r\\n]"),
                SplitRule.Regex.wide("\\s?[" + ranges(DEEPSEEK_LETTERS) + "]+"),
                SplitRule.Regex.wide("\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}"
                        + "\\x{3000}-\\x{3002}]+"),
                SplitRule.Regex.wide("\\s+\\z"),
                SplitRule.Regex.wide(CJK_RUN),
                SplitRule.Regex.collapsed("\\p{N}+"));

        static final List<SplitRule> DEEPSEEK_CODER = List.of(
                SplitRule.Regex.wide("[\\r\\n]"),
                SplitRule.Regex.collapsed("\\s?\\p{L}+"),
                SplitRule.Regex.collapsed("\\s?\\p{P}+"),
                SplitRule.Regex.wide(CJK_RUN),
                SplitRule.Regex.collapsed("\\p{N}"));

        private static String ranges(int[][] ranges) {
            StringBuilder sb = new StringBuilder();
            for (int[] r : ranges) {
                sb.append("\\x{").append(Integer.toHexString(r[0])).append('}');
                if (r[1] != r[0]) sb.append("-\\x{").append(Integer.toHexString(r[1])).append('}');
            }
            return sb.toString();
        }
    }
}
