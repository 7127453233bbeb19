package io.mbllm.engine.lora;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.MetaValue;
import io.mbllm.engine.model.ModelSource;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.quant.QuantTypes;

/**
 * A GGUF LoRA adapter in llama.cpp's format ({@code shared/docs/quantization.md} §8), memory-mapped: the
 * tensors stay in the file and are never copied. {@link #load(Path)} checks what the file alone can tell
 * (llama.cpp's order and messages): {@code general.type = adapter}, {@code adapter.type = lora}, the type of
 * {@code adapter.lora.alpha}, tensor suffixes ({@code *_norm.weight} tensors are skipped silently) and complete
 * {@code lora_a}/{@code lora_b} pairs. {@link #checkFits(ModelSource, boolean)} then checks it against a base
 * model: architecture, base tensor names, shapes, rank agreement, and the computable types.
 *
 * <p>The adapter must stay open while anything built on it ({@link LoraSet}, {@link LoraMerger}) is in use.
 */
public final class LoraAdapter implements AutoCloseable {
    private static final String SUFFIX_A = ".lora_a";
    private static final String SUFFIX_B = ".lora_b";
    private static final String NORM_SUFFIX = "_norm.weight";

    private final GgufModelSource source;
    private final String architecture;
    private final float alpha;
    private final int[] invocationTokens;
    private final List<LoraPair> pairs;
    private final int skipped;

    private LoraAdapter(GgufModelSource source, String architecture, float alpha, int[] invocationTokens,
                        List<LoraPair> pairs, int skipped) {
        this.source = source;
        this.architecture = architecture;
        this.alpha = alpha;
        this.invocationTokens = invocationTokens;
        this.pairs = List.copyOf(pairs);
        this.skipped = skipped;
    }

    /**
     * Maps the adapter file at {@code path} and checks its structure.
     *
     * @throws LoraException when it is not a usable LoRA adapter (llama.cpp's message where it has one)
     * @throws IOException   when it cannot be read ({@link GgufFormatException} when it is not GGUF)
     */
    public static LoraAdapter load(Path path) throws IOException, LoraException {
        GgufModelSource src = GgufModelSource.open(path);
        try {
            return of(src);
        } catch (LoraException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /** Reads an adapter from an open GGUF source (which it then owns: {@link #close()} closes it). */
    public static LoraAdapter of(GgufModelSource src) throws LoraException {
        String where = src.describe() + ": ";
        String generalType = text(src, "general.type", where);
        if (!generalType.equals("adapter")) {
            throw new LoraException(where + "expect general.type to be 'adapter', but got: " + generalType);
        }
        String arch = text(src, "general.architecture", where);
        String adapterType = text(src, "adapter.type", where);
        if (!adapterType.equals("lora")) {
            throw new LoraException(where + "expect adapter.type to be 'lora', but got: " + adapterType);
        }
        float alpha = 0f;
        Optional<MetaValue> a = src.meta("adapter.lora.alpha");
        if (a.isPresent()) {
            if (!(a.get() instanceof MetaValue.Num n) || n.kind() != MetaValue.Kind.FLOAT32) {
                throw new LoraException(where + "adapter.lora.alpha must be FLOAT32, got " + a.get().typeName()
                        + " (llama.cpp aborts on this file)");
            }
            alpha = n.value().floatValue();
            if (!Float.isFinite(alpha)) throw new LoraException(where + "adapter.lora.alpha is not finite: " + alpha);
        }
        int[] invocation = invocationTokens(src, where);

        // pair tensors by base name; anything but .lora_a / .lora_b / *_norm.weight is an error
        Map<String, ModelSource.Tensor[]> byBase = new LinkedHashMap<>();
        int skipped = 0;
        for (TensorInfo t : src.file().tensors()) {
            String name = t.name();
            int half;
            String base;
            if (name.endsWith(SUFFIX_A)) {
                half = 0;
                base = name.substring(0, name.length() - SUFFIX_A.length());
            } else if (name.endsWith(SUFFIX_B)) {
                half = 1;
                base = name.substring(0, name.length() - SUFFIX_B.length());
            } else if (name.endsWith(NORM_SUFFIX)) {
                skipped++;
                continue;
            } else {
                throw new LoraException(where + "LoRA tensor '" + name + "' has unexpected suffix");
            }
            byBase.computeIfAbsent(base, k -> new ModelSource.Tensor[2])[half] = src.tensor(name).orElseThrow();
        }
        List<LoraPair> pairs = new ArrayList<>(byBase.size());
        for (var e : byBase.entrySet()) {
            ModelSource.Tensor[] ab = e.getValue();
            if (ab[0] == null || ab[1] == null) {
                throw new LoraException(where + "LoRA tensor pair for '" + e.getKey() + "' is missing one component");
            }
            pairs.add(new LoraPair(e.getKey(), ab[0], ab[1]));
        }
        return new LoraAdapter(src, arch, alpha, invocation, pairs, skipped);
    }

    private static String text(ModelSource src, String key, String where) throws LoraException {
        Optional<MetaValue> v = src.meta(key);
        if (v.isEmpty()) return "";
        if (v.get() instanceof MetaValue.Text t) return t.value();
        throw new LoraException(where + key + " must be a string, got " + v.get().typeName());
    }

    private static int[] invocationTokens(ModelSource src, String where) throws LoraException {
        Optional<MetaValue> v = src.meta("adapter.alora.invocation_tokens");
        if (v.isEmpty()) return new int[0];
        if (v.get() instanceof MetaValue.Array arr
                && (arr.elementKind() == MetaValue.Kind.UINT32 || arr.elementKind() == MetaValue.Kind.INT32)) {
            int[] out = new int[arr.elements().size()];
            for (int i = 0; i < out.length; i++) out[i] = ((MetaValue.Num) arr.elements().get(i)).value().intValue();
            return out;
        }
        throw new LoraException(where + "adapter.alora.invocation_tokens must be an array of UINT32, got " + v.get().typeName());
    }

    /**
     * Checks the adapter against a base model, in llama.cpp's order and with its messages: same
     * {@code general.architecture}; every base tensor exists; shapes ({@code W.ne0 == A.ne0}, {@code W.ne1 == B.ne1},
     * then {@code A.ne1 == B.ne0}; for {@code token_embd}: {@code W.ne0 == B.ne1}, {@code W.ne1 == A.ne1}); 2-D
     * tensors of a type mbllm can multiply with. With {@code tiedOutput} (the model reuses {@code token_embd} as
     * its LM head) a {@code token_embd} adapter is refused: llama.cpp would also apply it to the LM-head product
     * with the wrong layout and abort at the first decode.
     *
     * @throws LoraException naming the first problem
     */
    public void checkFits(ModelSource base, boolean tiedOutput) throws LoraException {
        String where = describe() + ": ";
        String baseArch = base.meta("general.architecture")
                .map(v -> v instanceof MetaValue.Text t ? t.value() : "").orElse("");
        if (!baseArch.equals(architecture)) throw new LoraException(where + "model arch and LoRA arch mismatch");
        for (LoraPair p : pairs) {
            ModelSource.Tensor w = base.tensor(p.base()).orElseThrow(() -> new LoraException(where + "LoRA tensor '"
                    + p.base() + "' does not exist in base model (hint: maybe wrong base model?)"));
            ModelSource.Tensor a = p.a(), b = p.b();
            String incorrect = where + "tensor '" + p.base() + "' has incorrect shape (hint: maybe wrong base model?)";
            if (p.tokenEmbedding()) {
                if (w.dim(0) != b.dim(1) || w.dim(1) != a.dim(1)) throw new LoraException(incorrect);
                if (a.dim(0) != b.dim(0)) {
                    throw new LoraException(where + "token_embd lora_a has rank " + a.dim(0) + " but lora_b has rank " + b.dim(0));
                }
                if (tiedOutput) {
                    throw new LoraException(where + "a token_embd adapter cannot be used with this model: its output "
                            + "projection reuses token_embd.weight (tied embeddings), where the adapter's layout does not "
                            + "fit (llama.cpp aborts at the first decode)");
                }
            } else {
                if (w.dim(0) != a.dim(0) || w.dim(1) != b.dim(1)) throw new LoraException(incorrect);
                if (a.dim(1) != b.dim(0)) {
                    throw new LoraException(where + "lora_a tensor is not transposed (hint: adapter from \"finetune\" example is no longer supported)");
                }
            }
            for (ModelSource.Tensor t : new ModelSource.Tensor[] {a, b}) {
                if (t.dim(2) != 1 || t.dim(3) != 1 || w.dim(2) != 1 || w.dim(3) != 1) {
                    throw new LoraException(where + "tensor '" + t.name() + "' (or its base) is not a 2-D matrix: " + t.shapeString());
                }
                if (t.dim(0) < 1 || t.dim(1) < 1) throw new LoraException(where + "tensor '" + t.name() + "' is empty");
                var traits = QuantTypes.find(t.type());
                if (traits.isEmpty() || traits.get().vecDot() == null || QuantTypes.find(traits.get().vecDotType()).isEmpty()
                        || t.type() == GgmlType.Q8_1 || t.type() == GgmlType.Q8_K) {
                    throw new LoraException(where + "tensor '" + t.name() + "' has type " + t.type().ggmlName()
                            + ", which mbllm cannot multiply with");
                }
            }
        }
    }

    /** The scale of one adapted matrix: {@code userScale * alpha / rank}, or {@code userScale} when alpha is 0 or missing. */
    public float scale(float userScale, int rank) {
        return alpha != 0f ? userScale * alpha / rank : userScale;
    }

    /** The file path (for messages). */
    public String describe() {
        return source.describe();
    }

    /** {@code general.architecture}. */
    public String architecture() {
        return architecture;
    }

    /** {@code adapter.lora.alpha}, 0 when missing. */
    public float alpha() {
        return alpha;
    }

    /** {@code adapter.alora.invocation_tokens} (activated LoRA), empty when missing. Informational here. */
    public int[] invocationTokens() {
        return invocationTokens.clone();
    }

    /** The adapted matrices, in the file order of their first tensor. */
    public List<LoraPair> pairs() {
        return pairs;
    }

    /** Tensors skipped because their names end in {@code _norm.weight}. */
    public int skippedTensors() {
        return skipped;
    }

    /** The underlying GGUF file. */
    public GgufFile file() {
        return source.file();
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        source.close();
    }
}
