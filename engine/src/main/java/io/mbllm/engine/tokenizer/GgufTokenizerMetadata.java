package io.mbllm.engine.tokenizer;

import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link TokenizerMetadata} over the metadata of a GGUF file; type mismatches become {@link TokenizerException}. */
public record GgufTokenizerMetadata(GgufMetadata metadata) implements TokenizerMetadata {

    @Override
    public Optional<String> string(String key) {
        try {
            return metadata.findString(key);
        } catch (GgufFormatException e) {
            throw new TokenizerException(e.getMessage());
        }
    }

    @Override
    public Optional<List<byte[]>> stringArray(String key) {
        Optional<GgufValue> v = metadata.find(key);
        if (v.isEmpty()) return Optional.empty();
        if (!(v.get() instanceof GgufValue.StringArray a)) {
            throw new TokenizerException("key '" + key + "' is not an array of strings");
        }
        List<byte[]> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) out.add(a.bytes(i));
        return Optional.of(out);
    }

    @Override
    public Optional<int[]> intArray(String key) {
        if (!metadata.contains(key)) return Optional.empty();
        try {
            return Optional.of(metadata.getIntArray(key));
        } catch (GgufFormatException e) {
            throw new TokenizerException(e.getMessage());
        }
    }

    @Override
    public Optional<float[]> floatArray(String key) {
        if (!metadata.contains(key)) return Optional.empty();
        try {
            return Optional.of(metadata.getFloatArray(key));
        } catch (GgufFormatException e) {
            throw new TokenizerException(e.getMessage());
        }
    }

    @Override
    public Optional<Long> integer(String key) {
        if (!metadata.contains(key)) return Optional.empty();
        try {
            return Optional.of(metadata.getLong(key));
        } catch (GgufFormatException e) {
            throw new TokenizerException(e.getMessage());
        }
    }

    @Override
    public Optional<Boolean> bool(String key) {
        if (!metadata.contains(key)) return Optional.empty();
        try {
            return Optional.of(metadata.getBool(key));
        } catch (GgufFormatException e) {
            throw new TokenizerException(e.getMessage());
        }
    }
}
