package io.mbllm.engine.tokenizer;

/** A piece of the input after special-token matching: either a matched token or text still to tokenize. */
sealed interface Fragment permits Fragment.Token, Fragment.Text {
    /** A special or user-defined token found verbatim in the input. */
    record Token(int id) implements Fragment {}

    /** Raw input text (byte text, see {@link ByteText}), never empty. */
    record Text(String bytes) implements Fragment {}
}
