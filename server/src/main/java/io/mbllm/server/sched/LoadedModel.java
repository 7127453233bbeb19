package io.mbllm.server.sched;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;

import io.mbllm.engine.generate.TokenDecoder;
import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraException;
import io.mbllm.engine.lora.LoraSet;
import io.mbllm.engine.lora.ScaledLora;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelLoadException;
import io.mbllm.engine.template.ChatFormatter;
import io.mbllm.engine.template.TemplateException;
import io.mbllm.engine.tokenizer.StreamingDetokenizer;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.kernels.Parallel;

/**
 * A model resident in memory: mapped weights, its LoRA adapters (mapped too), tokenizer, the GGUF chat template,
 * a thread pool shared by its slots, and up to {@code num_parallel} {@link Slot}s. Scheduling state (users, expiry) is guarded by the
 * {@link Scheduler}.
 */
public final class LoadedModel {
    private static final System.Logger LOG = System.getLogger(LoadedModel.class.getName());
    private static final int MAX_LORA_SETS = 16;

    private final ResolvedModel resolved;
    private final Model model;
    private final Tokenizer tokenizer;
    private final ChatFormatter chatFormatter;
    private final Parallel parallel;
    private final List<LoraAdapter> adapters;
    private final float[] defaultScales;
    /** LoRA sets by user scales (immutable, shared by the slots); a few distinct scale vectors at most. */
    private final Map<List<Float>, LoraSet> loraSets = new ConcurrentHashMap<>();
    private final Instant loadedAt = Instant.now();
    private volatile byte[][] pieces;

    // guarded by the scheduler's lock
    final Semaphore permits;
    final Deque<Slot> freeSlots = new ArrayDeque<>();
    final List<Slot> allSlots = new ArrayList<>();
    int users;
    KeepAlive keepAlive = KeepAlive.DEFAULT;
    Instant expiresAt;
    ScheduledFuture<?> expiryTimer;
    int lastNumCtx;
    boolean unloadRequested;
    boolean closed;

    private LoadedModel(ResolvedModel resolved, Model model, Tokenizer tokenizer, ChatFormatter formatter,
                        Parallel parallel, int numParallel, List<LoraAdapter> adapters) {
        this.resolved = resolved;
        this.adapters = List.copyOf(adapters);
        this.defaultScales = new float[adapters.size()];
        for (int i = 0; i < defaultScales.length; i++) defaultScales[i] = resolved.adapters().get(i).scale();
        this.model = model;
        this.tokenizer = tokenizer;
        this.chatFormatter = formatter;
        this.parallel = parallel;
        this.permits = new Semaphore(numParallel, true);
        for (int i = 0; i < numParallel; i++) {
            Slot s = new Slot(this);
            freeSlots.add(s);
            allSlots.add(s);
        }
    }

    /**
     * Maps the model's GGUF file and reads its tokenizer and chat template.
     *
     * @throws IOException        when the file cannot be read or is not GGUF
     * @throws ModelLoadException when mbllm cannot run the model
     */
    static LoadedModel load(ResolvedModel resolved, int numParallel, int threads) throws IOException, ModelLoadException {
        Model model = Model.open(resolved.file());
        try {
            GgufFile file = ((GgufModelSource) model.source()).file();
            Tokenizer tokenizer = Tokenizers.fromGguf(file.metadata());
            ChatFormatter formatter = null;
            String jinja = file.metadata().findString("tokenizer.chat_template").orElse(null);
            if (jinja != null && !jinja.isBlank()) {
                try {
                    formatter = ChatFormatter.create(jinja, text(tokenizer, tokenizer.bos()), text(tokenizer, tokenizer.eos()));
                } catch (TemplateException e) {
                    LOG.log(System.Logger.Level.WARNING, "chat template of {0} does not compile ({1}); using the raw prompt",
                            resolved.ref().display(), e.getMessage());
                }
            }
            List<LoraAdapter> adapters = openAdapters(resolved, model);
            try {
                Parallel pool = new Parallel(Math.max(1, threads));
                LoadedModel lm = new LoadedModel(resolved, model, tokenizer, formatter, pool, numParallel, adapters);
                if (!adapters.isEmpty()) lm.loras(null); // binds (and checks) the default set now
                return lm;
            } catch (ModelLoadException | RuntimeException e) {
                adapters.forEach(LoraAdapter::close);
                throw e;
            }
        } catch (GgufFormatException | ModelLoadException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Maps the model's LoRA adapters (checked against the model when the first set is bound). */
    private static List<LoraAdapter> openAdapters(ResolvedModel resolved, Model model)
            throws IOException, ModelLoadException {
        List<LoraAdapter> out = new ArrayList<>();
        try {
            for (ResolvedModel.Adapter a : resolved.adapters()) out.add(LoraAdapter.load(a.file()));
            return out;
        } catch (LoraException e) {
            out.forEach(LoraAdapter::close);
            throw new ModelLoadException("LoRA adapter: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            out.forEach(LoraAdapter::close);
            throw e;
        }
    }

    /** Number of LoRA adapters (the valid ids of a request's {@code lora} list are 0 to this - 1). */
    public int adapterCount() {
        return adapters.size();
    }

    /** The adapters' default user scales (the model's ADAPTER lines), by id. */
    public float[] defaultScales() {
        return defaultScales.clone();
    }

    /**
     * The adapters bound with these user scales (by id; {@code null}: the defaults), built once per distinct
     * vector. Null when the model has no adapters.
     *
     * @throws ModelLoadException when an adapter does not fit the model
     */
    LoraSet loras(float[] scales) throws ModelLoadException {
        if (adapters.isEmpty()) return null;
        float[] s = scales == null ? defaultScales : scales;
        if (s.length != adapters.size()) throw new IllegalArgumentException("expected " + adapters.size() + " scales");
        List<Float> key = new ArrayList<>(s.length);
        for (float v : s) key.add(v);
        LoraSet set = loraSets.get(key);
        if (set != null) return set;
        List<ScaledLora> scaled = new ArrayList<>(s.length);
        for (int i = 0; i < s.length; i++) scaled.add(new ScaledLora(adapters.get(i), s[i]));
        try {
            set = LoraSet.bind(model, scaled);
        } catch (LoraException e) {
            throw new ModelLoadException("LoRA adapter: " + e.getMessage());
        }
        if (loraSets.size() >= MAX_LORA_SETS) loraSets.clear();
        loraSets.put(key, set);
        return set;
    }

    private static String text(Tokenizer t, int id) {
        return id >= 0 ? t.vocabulary().tokenText(id) : "";
    }

    public ResolvedModel resolved() {
        return resolved;
    }

    public Model model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The GGUF file behind the model. */
    public GgufFile file() {
        return ((GgufModelSource) model.source()).file();
    }

    /** The GGUF's Jinja chat template, compiled, or null when it has none (or it does not compile). */
    public ChatFormatter chatFormatter() {
        return chatFormatter;
    }

    /** {@code <arch>.context_length}. */
    public int trainedContextLength() {
        return model.config().contextLength();
    }

    /** When the model was loaded. */
    public Instant loadedAt() {
        return loadedAt;
    }

    /** The text every token renders to when generated (control tokens: empty), computed once. */
    public byte[][] pieces() {
        byte[][] p = pieces;
        if (p == null) {
            p = new byte[tokenizer.vocabSize()][];
            for (int i = 0; i < p.length; i++) p[i] = tokenizer.tokenPiece(i, false);
            pieces = p;
        }
        return p;
    }

    /** A streaming detokenizer for the text after {@code prompt} (control tokens hidden). */
    TokenDecoder newDecoder(int[] prompt) {
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

    /** A context of {@code numCtx} tokens, applying the default adapters when the model has any. */
    InferenceContext newContext(int numCtx) {
        ContextOptions o = ContextOptions.of(numCtx).withParallel(parallel);
        if (!adapters.isEmpty()) {
            try {
                o = o.withLoras(loras(null));
            } catch (ModelLoadException e) {
                throw new IllegalStateException(e); // bound once at load
            }
        }
        return model.newContext(o);
    }

    /** Largest context among the slots (0 before the first request). */
    synchronized int contextLength() {
        int max = 0;
        for (Slot s : allSlots) max = Math.max(max, s.capacity());
        return max == 0 ? lastNumCtx : max;
    }

    /** Bytes resident: the mapped files (model and adapters) plus the KV caches. */
    synchronized long residentBytes() {
        long total = file().size();
        for (LoraAdapter a : adapters) total += a.file().size();
        for (Slot s : allSlots) if (s.capacity() > 0) total += s.context().kvCacheBytes();
        return total;
    }

    synchronized Slot takeSlot(int numCtx) {
        Slot s = freeSlots.pop();
        try {
            s.prepare(numCtx);
        } catch (RuntimeException e) {
            freeSlots.push(s);
            throw e;
        }
        lastNumCtx = numCtx;
        return s;
    }

    synchronized void returnSlot(Slot s) {
        s.constrain(null);
        freeSlots.push(s);
    }

    /** Closes every slot, the pool and the mapped file. Only called when no request uses the model. */
    synchronized void close() {
        if (closed) return;
        closed = true;
        for (Slot s : allSlots) s.close();
        parallel.close();
        adapters.forEach(LoraAdapter::close);
        model.close();
    }
}
