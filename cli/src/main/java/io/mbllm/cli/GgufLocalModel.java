package io.mbllm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;

import io.mbllm.engine.generate.ContextLogitSource;
import io.mbllm.engine.generate.LogitSource;
import io.mbllm.engine.generate.TokenDecoder;
import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraException;
import io.mbllm.engine.lora.LoraSet;
import io.mbllm.engine.lora.LoraSpec;
import io.mbllm.engine.lora.ScaledLora;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelLoadException;
import io.mbllm.engine.tokenizer.StreamingDetokenizer;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.GgufMetadata;

/** A GGUF file opened for {@code mbllm run}: the engine's {@link Model}, the file's tokenizer and chat template. */
final class GgufLocalModel implements LocalModel {
    private final Model model;
    private final Tokenizer tokenizer;
    private final String chatTemplate;
    private final List<ContextLogitSource> sequences = new ArrayList<>();
    private final List<LoraAdapter> adapters = new ArrayList<>();
    private LoraSet loras; // null without adapters

    private GgufLocalModel(Model model, Tokenizer tokenizer, String chatTemplate) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
    }

    /**
     * Opens the model file with LoRA adapters applied at run time ({@code --lora FILE[:SCALE]}).
     *
     * @throws LoraException when an adapter is not valid for this model
     */
    static GgufLocalModel open(Path file, List<LoraSpec> loraSpecs) throws IOException, ModelLoadException, LoraException {
        GgufLocalModel m = open(file);
        if (loraSpecs.isEmpty()) return m;
        try {
            List<ScaledLora> scaled = new ArrayList<>();
            for (LoraSpec spec : loraSpecs) {
                LoraAdapter a = LoraAdapter.load(spec.file());
                m.adapters.add(a);
                scaled.add(new ScaledLora(a, spec.scale()));
            }
            m.loras = LoraSet.bind(m.model, scaled);
            return m;
        } catch (IOException | LoraException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Maps the file, loads the model and its tokenizer.
     *
     * @throws IOException         when the file cannot be read
     * @throws GgufFormatException when it is not valid GGUF
     * @throws ModelLoadException  when mbllm cannot run the model in it
     */
    static GgufLocalModel open(Path file) throws IOException, ModelLoadException {
        Model model = Model.open(file);
        try {
            GgufMetadata md = ((GgufModelSource) model.source()).file().metadata();
            Tokenizer tokenizer = Tokenizers.fromGguf(md);
            String template = md.findString("tokenizer.chat_template").orElse(null);
            return new GgufLocalModel(model, tokenizer, template);
        } catch (GgufFormatException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public int trainedContextLength() {
        return model.config().contextLength();
    }

    @Override
    public LogitSource newSequence(int numCtx) {
        ContextLogitSource s = new ContextLogitSource(model.newContext(ContextOptions.of(numCtx).withLoras(loras)));
        sequences.add(s);
        return s;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return tokenizer.encode(text, addSpecial, parseSpecial);
    }

    @Override
    public TokenDecoder newDecoder(int[] prompt) {
        StreamingDetokenizer d = tokenizer.streaming(false, false);
        for (int t : prompt) d.accept(t);
        return new TokenDecoder() {
            @Override
            public String decode(int token) {
                return d.accept(token);
            }

            @Override
            public String flush() {
                return d.flush();
            }
        };
    }

    @Override
    public IntPredicate endOfGeneration() {
        return tokenizer::isEog;
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    @Override
    public String bosText() {
        return tokenizer.bos() >= 0 ? tokenizer.vocabulary().tokenText(tokenizer.bos()) : "";
    }

    @Override
    public String eosText() {
        return tokenizer.eos() >= 0 ? tokenizer.vocabulary().tokenText(tokenizer.eos()) : "";
    }

    @Override
    public boolean addsBos() {
        return tokenizer.bos() >= 0 && tokenizer.vocabulary().flags().addBos();
    }

    @Override
    public void close() {
        for (ContextLogitSource s : sequences) s.close();
        sequences.clear();
        model.close();
        for (LoraAdapter a : adapters) a.close();
        adapters.clear();
    }
}
