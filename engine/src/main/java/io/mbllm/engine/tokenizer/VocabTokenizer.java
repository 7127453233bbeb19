package io.mbllm.engine.tokenizer;

/**
 * What the three tokenizers share: the vocabulary index built from the GGUF (id lookup, pieces,
 * detokenization), and the checked type of the vocabulary. Each subclass only adds its encoding algorithm.
 */
abstract sealed class VocabTokenizer implements Tokenizer permits SpmTokenizer, BpeTokenizer, WpmTokenizer {
    final VocabIndex index;

    /** @param kind the vocabulary kind with its article, for the error message ("an SPM", "a BPE", ...) */
    VocabTokenizer(Vocabulary vocab, VocabType expected, String kind) {
        if (vocab.type() != expected) throw new TokenizerException("not " + kind + " vocabulary: " + vocab.type());
        this.index = new VocabIndex(vocab);
    }

    @Override
    public byte[] decodeBytes(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        return index.detokenize(ids, removeSpecial, unparseSpecial);
    }

    @Override
    public byte[] tokenPiece(int id, boolean special) {
        index.checkId(id);
        return index.piece(id, special).clone();
    }

    @Override
    public Vocabulary vocabulary() {
        return index.vocab;
    }
}
