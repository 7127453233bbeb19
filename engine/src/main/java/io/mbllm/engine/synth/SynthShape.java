package io.mbllm.engine.synth;

import java.util.List;
import java.util.Optional;

/**
 * Hyper-parameters of a synthetic model, as in the {@code SHAPES} table of {@code gen_synth_gguf.py}.
 *
 * @param name      the model name used on the command line and in file names ({@code llama-1b})
 * @param arch      GGUF architecture ({@code llama} or {@code stablelm})
 * @param nEmbd     embedding width
 * @param nLayer    number of blocks
 * @param nHead     attention heads
 * @param nHeadKv   key/value heads
 * @param nFf       feed-forward width
 * @param nVocab    vocabulary size (the tokenizer arrays are cut to this length)
 * @param ropeTheta rope frequency base
 * @param nCtx      training context length
 * @param normEps   norm epsilon
 * @param tied      true: no {@code output.weight} (the token embedding is the output matrix)
 * @param nRot      rope dimension count
 * @param layerNorm true: LayerNorm with bias tensors and {@code layer_norm_epsilon} (stablelm); false: RMSNorm
 */
public record SynthShape(String name, String arch, int nEmbd, int nLayer, int nHead, int nHeadKv, int nFf,
                         int nVocab, float ropeTheta, int nCtx, float normEps, boolean tied, int nRot,
                         boolean layerNorm) {

    /** Llama-3.2-1B shape, tied output, Llama-3 vocab. */
    public static final SynthShape LLAMA_1B = new SynthShape("llama-1b", "llama", 2048, 16, 32, 8, 8192, 128256,
            500000.0f, 4096, 1e-5f, true, 64, false);

    /** StableLM-3B-4e1t shape, untied output, GPT-NeoX vocab cut to 50304. */
    public static final SynthShape STABLELM_3B = new SynthShape("stablelm-3b", "stablelm", 2560, 32, 32, 32, 6912,
            50304, 10000.0f, 4096, 1e-5f, false, 20, true);

    /** The shapes the generator knows. */
    public static final List<SynthShape> ALL = List.of(LLAMA_1B, STABLELM_3B);

    public SynthShape {
        if (nEmbd <= 0 || nLayer <= 0 || nHead <= 0 || nHeadKv <= 0 || nFf <= 0 || nVocab <= 0 || nCtx <= 0) {
            throw new IllegalArgumentException(name + ": every size must be positive");
        }
        if (nEmbd % nHead != 0) throw new IllegalArgumentException(name + ": n_embd not a multiple of n_head");
    }

    /** The shape named {@code name}, if any. */
    public static Optional<SynthShape> byName(String name) {
        return ALL.stream().filter(s -> s.name.equals(name)).findFirst();
    }

    /** The same shape with another layer count (the script's {@code --layers}). */
    public SynthShape withLayers(int layers) {
        return new SynthShape(name, arch, nEmbd, layers, nHead, nHeadKv, nFf, nVocab, ropeTheta, nCtx, normEps, tied,
                nRot, layerNorm);
    }

    /** Width of one attention head. */
    public int headDim() { return nEmbd / nHead; }
}
