package io.mbllm.engine.compare;

import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.tokenizer.Tokenizer;

/** A variant ready to run; closing it gives the model (and context) back. */
public interface LoadedVariant extends AutoCloseable {
    Model model();

    Tokenizer tokenizer();

    /** A context of at least the requested positions, used by one thread; the comparison resets it as needed. */
    InferenceContext context();

    /** Nanoseconds it took to get the model ready. */
    long loadNanos();

    @Override
    void close();
}
