package io.mbllm.server.create;

import io.mbllm.engine.template.go.GoJson;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.ModelQuantizer;
import io.mbllm.gguf.mix.QuantizeException;
import io.mbllm.gguf.mix.QuantizeOptions;
import io.mbllm.server.modelfile.Message;
import io.mbllm.server.modelfile.ParameterException;
import io.mbllm.server.modelfile.Parameters;
import io.mbllm.server.store.BlobNotFoundException;
import io.mbllm.server.store.CorruptStoreException;
import io.mbllm.server.store.Digest;
import io.mbllm.server.store.InvalidDigestException;
import io.mbllm.server.store.InvalidModelNameException;
import io.mbllm.server.store.Layer;
import io.mbllm.server.store.LayerKind;
import io.mbllm.server.store.ModelBuilder;
import io.mbllm.server.store.ModelConfig;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelNotFoundException;
import io.mbllm.server.store.ModelStore;
import io.mbllm.server.store.ParameterSize;
import io.mbllm.server.store.StoreException;
import io.mbllm.server.store.StoredModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Creates models in a {@link ModelStore} from {@link CreateRequest}s, the work behind {@code POST /api/create}
 * (api-contract §3.10, Ollama {@code server/create.go}).
 *
 * <p>Flow: validate the name; take the layers of the source (uploaded GGUF blobs from {@code files}, or every
 * layer of the base model {@code from}); when {@code adapters} are given, check them against the weights and
 * put them in place of the base's adapter layers ({@link AdapterLayers}: several allowed, PEFT folders converted,
 * scales kept in the config's {@code adapter_scales}); quantize the weights when {@code quantize} is given, or when it is not
 * and the tag names a level ({@code rocket-3b:q4} → Q4_K_M) — from F32/F16/BF16 sources only, a no-op when the
 * source already has the level; replace or add the template, system, license, params (merged key by key over
 * the base's) and messages layers; write the config blob and, last, the manifest. Progress goes to a callback:
 * {@code parsing GGUF}, {@code quantizing F32 model to Q4_K_M} (with {@code total}/{@code completed}),
 * {@code verifying conversion}, {@code using existing layer sha256:..} / {@code creating new layer sha256:..}
 * per layer, {@code writing manifest}, {@code success}.
 *
 * <p>Consistency: every blob goes through the store and the manifest is written last, atomically, so a create
 * that fails or is interrupted leaves the listed models as they were (the quantizer's partial output is
 * deleted; blobs already written are orphans for the next prune). Interrupting the calling thread cancels a
 * running quantization with {@link InterruptedException}. Thread-safe: independent creates may run at once.
 */
public final class CreateService {
    private static final System.Logger LOG = System.getLogger(CreateService.class.getName());
    private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};

    private final ModelStore store;
    private final int quantizeThreads;

    /** A service on {@code store} quantizing with one thread per core. */
    public CreateService(ModelStore store) {
        this(store, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /** A service on {@code store} quantizing with {@code quantizeThreads} threads. */
    public CreateService(ModelStore store, int quantizeThreads) {
        if (quantizeThreads < 1) {
            throw new IllegalArgumentException("quantizeThreads must be at least 1");
        }
        this.store = store;
        this.quantizeThreads = quantizeThreads;
    }

    /** The store models are created in. */
    public ModelStore store() {
        return store;
    }

    /**
     * Stores an uploaded blob ({@code POST /api/blobs/:digest}): streams {@code body} into the store, checking
     * its SHA-256 against {@code digest}. Returns true when the blob was newly stored (201), false when it was
     * already there (200; the body is then not read).
     *
     * @throws CreateException 400 {@code invalid digest format} or {@code digest mismatch, expected .., got ..}
     */
    public boolean putBlob(String digest, InputStream body) throws CreateException, IOException {
        Digest d = digest(digest);
        if (store.blobs().exists(d)) {
            return false;
        }
        try {
            return store.blobs().write(body, d).created();
        } catch (StoreException e) {
            throw CreateException.badRequest(e.getMessage());
        }
    }

    /** True when the blob is stored ({@code HEAD /api/blobs/:digest}); 400 for a malformed digest. */
    public boolean hasBlob(String digest) throws CreateException {
        return store.blobs().exists(digest(digest));
    }

    /**
     * Runs a create, reporting progress to {@code progress} (on the calling thread), ending with
     * {@code success}. Returns the stored model.
     *
     * @throws CreateException      a request error (status 400/404) or a failed verification (500)
     * @throws InterruptedException the calling thread was interrupted while quantizing (nothing was committed)
     */
    public StoredModel create(CreateRequest request, Consumer<CreateProgress> progress)
            throws CreateException, IOException, InterruptedException {
        ModelName name = name(request.model(), "invalid model name");
        CreateRequest req = request.modelfile().isEmpty() ? request
                : LegacyModelfile.resolve(request, this, progress);
        Optional<QuantTarget> quant = QuantTarget.resolve(req.quantize(), name);

        Sources src = req.files().isEmpty() ? null : fromFiles(req.files(), progress);
        if (src == null && !req.from().isEmpty()) {
            src = req.from().startsWith("sha256") ? fromFiles(Map.of("model.gguf", req.from()), progress)
                    : fromModel(req.from());
        }
        if (src == null) {
            throw CreateException.badRequest("neither 'from' or 'files' was specified");
        }
        List<Layer> planned = new ArrayList<>(src.layers());
        Optional<Layer> modelLayer = planned.stream()
                .filter(l -> l.mediaType().equals(LayerKind.MODEL.mediaType())).findFirst();
        Map<String, Float> adapterScales = new LinkedHashMap<>();
        if (src.baseConfig() != null) {
            adapterScales.putAll(src.baseConfig().adapterScales());
        }
        if (!req.adapters().isEmpty()) {
            if (modelLayer.isEmpty()) {
                throw CreateException.badRequest("LoRA adapters need GGUF model weights");
            }
            List<AdapterLayers.Planned> adapters = new AdapterLayers(this, progress)
                    .resolve(req.adapters(), req.adapterScales(), store.blobs().path(modelLayer.get().digest()));
            planned.removeIf(l -> l.mediaType().equals(LayerKind.ADAPTER.mediaType()));
            adapterScales.clear();
            for (AdapterLayers.Planned a : adapters) {
                planned.add(a.layer());
                adapterScales.put(a.layer().digest().toString(), a.scale());
            }
        } else if (!req.adapterScales().isEmpty()) {
            throw CreateException.badRequest("adapter_scales needs adapters");
        }
        List<Layer> fileAdapters = src.baseConfig() != null ? List.of() : planned.stream()
                .filter(l -> l.mediaType().equals(LayerKind.ADAPTER.mediaType())).toList();
        if (!fileAdapters.isEmpty() && req.adapters().isEmpty() && modelLayer.isPresent()) {
            new AdapterLayers(this, progress).check(fileAdapters, store.blobs().path(modelLayer.get().digest()));
        }
        GgufFacts modelFacts = src.modelFacts();
        Optional<FileType> quantizeTo = Optional.empty();
        if (quant.isPresent()) {
            if (modelLayer.isEmpty()) {
                throw CreateException.badRequest("quantization is only supported for GGUF models");
            }
            if (modelFacts == null) {
                modelFacts = facts("model.gguf", modelLayer.get().digest());
            }
            quantizeTo = quant.get().plan(modelFacts);
        }
        Parameters params = parameters(req.parameters());

        try (ModelBuilder b = store.newModel()) {
            Map<Digest, String> statuses = new LinkedHashMap<>();
            for (Layer l : planned) {
                if (quantizeTo.isPresent() && l == modelLayer.get()) {
                    quantize(b, l, modelFacts, quantizeTo.get(), progress, statuses);
                } else {
                    b.addBlob(l.mediaType(), l.digest(), l.from());
                    statuses.putIfAbsent(l.digest(), "using existing layer " + l.digest());
                }
            }
            if (!req.template().isEmpty()) {
                b.removeLayers(LayerKind.TEMPLATE);
                b.removeLayers(LayerKind.PROMPT);
                addSmall(b, LayerKind.TEMPLATE, req.template().getBytes(StandardCharsets.UTF_8), statuses);
            }
            if (!req.system().isEmpty()) {
                b.removeLayers(LayerKind.SYSTEM);
                addSmall(b, LayerKind.SYSTEM, req.system().getBytes(StandardCharsets.UTF_8), statuses);
            }
            for (String license : req.license()) {
                addSmall(b, LayerKind.LICENSE, license.getBytes(StandardCharsets.UTF_8), statuses);
            }
            if (!req.parameters().isEmpty()) {
                Parameters merged = params.over(src.parameters());
                b.removeLayers(LayerKind.PARAMS);
                if (!merged.isEmpty()) {
                    addSmall(b, LayerKind.PARAMS, merged.toLayerBytes(), statuses);
                }
            }
            if (!req.messages().isEmpty()) {
                b.removeLayers(LayerKind.MESSAGES);
                addSmall(b, LayerKind.MESSAGES, messagesBytes(req.messages()), statuses);
            }
            ModelConfig config = config(src, modelFacts, quantizeTo);
            if (!req.requires().isEmpty()) {
                config = config.withRequires(req.requires());
            }
            config = config.withAdapterScales(adapterScales);
            b.config(config);
            for (Layer l : b.layers()) {
                String s = statuses.remove(l.digest());
                if (s != null) {
                    progress.accept(CreateProgress.status(s));
                }
            }
            progress.accept(CreateProgress.status("writing manifest"));
            StoredModel stored = b.commit(name);
            progress.accept(CreateProgress.success());
            return stored;
        } catch (ModelNotFoundException | BlobNotFoundException e) {
            throw CreateException.notFound(e.getMessage());
        } catch (CorruptStoreException e) {
            throw new CreateException(500, e.getMessage(), e);
        } catch (StoreException e) {
            throw CreateException.badRequest(e.getMessage());
        }
    }

    /** The layers of a create's source, with what is known about them. */
    private record Sources(List<Layer> layers, GgufFacts modelFacts, ModelConfig baseConfig, Parameters parameters) {
    }

    private Sources fromFiles(Map<String, String> files, Consumer<CreateProgress> progress) throws CreateException,
            IOException {
        progress.accept(CreateProgress.status("parsing GGUF"));
        List<Layer> layers = new ArrayList<>();
        GgufFacts model = null;
        for (Map.Entry<String, String> e : files.entrySet()) {
            String file = fileName(e.getKey());
            Digest d = digest(e.getValue());
            GgufFacts f = facts(file, d);
            if (f.kind() == LayerKind.MODEL) {
                if (model != null) {
                    throw CreateException.badRequest("more than one GGUF model file was given; split GGUF models "
                            + "are not supported");
                }
                model = f;
            }
            layers.add(new Layer(f.kind().mediaType(), d, blobSize(d), file, ""));
        }
        if (model == null) {
            throw CreateException.badRequest("the files hold no GGUF model weights");
        }
        // the model layer first, as Ollama writes it
        layers.sort((a, b) -> Boolean.compare(!a.mediaType().equals(LayerKind.MODEL.mediaType()),
                !b.mediaType().equals(LayerKind.MODEL.mediaType())));
        return new Sources(layers, model, null, Parameters.EMPTY);
    }

    private Sources fromModel(String from) throws CreateException, IOException {
        ModelName base = name(from, "invalid from model name");
        StoredModel m;
        try {
            m = store.show(base);
        } catch (ModelNotFoundException e) {
            throw CreateException.notFound("model '" + from + "' not found");
        } catch (StoreException e) {
            throw new CreateException(500, e.getMessage(), e);
        }
        String parent = m.name().displayShortest();
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.manifest().layers()) {
            layers.add(l.withFrom(parent));
        }
        return new Sources(layers, null, m.config(), m.parameters());
    }

    private void quantize(ModelBuilder b, Layer src, GgufFacts facts, FileType to, Consumer<CreateProgress> progress,
            Map<Digest, String> statuses) throws CreateException, IOException, InterruptedException {
        String label = "quantizing " + facts.quantizationLevel() + " model to " + to.displayName();
        long total = src.size();
        progress.accept(new CreateProgress(label, CreateProgress.QUANTIZE_DIGEST, total, 0));
        Path tmp = store.blobs().dir().resolve(".partial-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID()
                + "-quantized.gguf");
        try {
            long[] last = {0};
            try {
                ModelQuantizer.quantize(store.blobs().path(src.digest()), tmp,
                        QuantizeOptions.of(to).withThreads(quantizeThreads), p -> {
                            long done = p.bytesTotal() <= 0 ? 0 : (long) ((double) p.bytesDone() / p.bytesTotal() * total);
                            if (done > last[0]) {
                                last[0] = done;
                                progress.accept(new CreateProgress(label, CreateProgress.QUANTIZE_DIGEST, total, done));
                            }
                        });
            } catch (QuantizeException e) {
                throw CreateException.badRequest("cannot quantize to " + to.displayName() + ": " + e.getMessage());
            }
            if (last[0] < total) {
                progress.accept(new CreateProgress(label, CreateProgress.QUANTIZE_DIGEST, total, total));
            }
            progress.accept(CreateProgress.status("verifying conversion"));
            verify(tmp, to, src);
            Digest d = sha256(tmp);
            boolean existed = store.blobs().exists(d);
            try (InputStream in = Files.newInputStream(tmp)) {
                b.addLayer(LayerKind.MODEL.mediaType(), in, d, src.from());
            } catch (StoreException e) {
                throw new CreateException(500, "the quantized file changed while it was stored: " + e.getMessage(), e);
            }
            statuses.put(d, (existed ? "using existing layer " : "creating new layer ") + d);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Re-reads the quantized file: it must parse, carry the target file type and keep every tensor. */
    private void verify(Path quantized, FileType to, Layer src) throws CreateException, IOException {
        try (GgufFile out = GgufFile.open(quantized); GgufFile in = GgufFile.open(store.blobs().path(src.digest()))) {
            int ft = out.metadata().findInt("general.file_type").orElse(-1);
            if (ft != to.id() || out.tensors().size() != in.tensors().size()) {
                throw new CreateException(500, "quantized model failed verification (file type " + ft + ", "
                        + out.tensors().size() + " of " + in.tensors().size() + " tensors)");
            }
        } catch (GgufFormatException e) {
            throw new CreateException(500, "quantized model failed verification: " + e.getMessage(), e);
        }
    }

    private ModelConfig config(Sources src, GgufFacts facts, Optional<FileType> quantized) {
        if (src.baseConfig() != null) {
            ModelConfig c = src.baseConfig();
            if (quantized.isEmpty()) {
                return c;
            }
            return new ModelConfig(c.modelFormat(), c.modelFamily(), c.modelFamilies(), c.modelType(),
                    quantized.get().displayName(), c.renderer(), c.parser(), c.requires(), c.capabilities(),
                    c.contextLength(), c.embeddingLength(), c.baseName(), c.architecture(), c.os(), c.diffIds());
        }
        String fileType = quantized.map(FileType::displayName).orElse(facts.quantizationLevel());
        return ModelConfig.of("gguf", facts.architecture(), ParameterSize.format(facts.parameterCount()), fileType);
    }

    private void addSmall(ModelBuilder b, LayerKind kind, byte[] bytes, Map<Digest, String> statuses)
            throws IOException {
        Digest d = Digest.of(bytes);
        boolean existed = store.blobs().exists(d);
        b.addLayer(kind, bytes);
        statuses.putIfAbsent(d, (existed ? "using existing layer " : "creating new layer ") + d);
    }

    /** The messages layer bytes, as {@link ModelBuilder#addMessages} writes them. */
    private static byte[] messagesBytes(List<Message> messages) {
        List<Object> arr = new ArrayList<>();
        for (Message m : messages) {
            arr.add(GoJson.Struct.of("role", m.role(), "content", m.content()));
        }
        try {
            return (GoJson.marshal(arr) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (GoJson.UnsupportedValueException e) {
            throw new IllegalStateException(e); // strings only
        }
    }

    private static Parameters parameters(Map<String, Object> json) throws CreateException {
        try {
            return Parameters.fromJson(json, w -> LOG.log(System.Logger.Level.WARNING, w));
        } catch (ParameterException e) {
            throw CreateException.badRequest(e.getMessage());
        }
    }

    /** Facts of an uploaded file; 400 unless it is a GGUF (by name or by magic). */
    GgufFacts facts(String file, Digest d) throws CreateException, IOException {
        Path p = store.blobs().path(d);
        if (!Files.isRegularFile(p)) {
            throw CreateException.badRequest("blob " + d + " not found");
        }
        if (file.endsWith(".safetensors")) {
            throw CreateException.badRequest("safetensors import is not supported; convert the model to GGUF first "
                    + "(llama.cpp convert_hf_to_gguf.py)");
        }
        boolean magic;
        try (InputStream in = Files.newInputStream(p)) {
            magic = java.util.Arrays.equals(in.readNBytes(4), GGUF_MAGIC);
        }
        if (!magic && !file.endsWith(".gguf")) {
            throw CreateException.badRequest("unknown type");
        }
        try {
            return GgufFacts.read(p);
        } catch (GgufFormatException e) {
            throw CreateException.badRequest("supplied file was not in GGUF format");
        }
    }

    private long blobSize(Digest d) throws CreateException, IOException {
        try {
            return store.blobs().size(d);
        } catch (BlobNotFoundException e) {
            throw CreateException.badRequest(e.getMessage());
        }
    }

    private static ModelName name(String s, String invalid) throws CreateException {
        try {
            return ModelName.parse(s);
        } catch (InvalidModelNameException e) {
            throw CreateException.badRequest(invalid);
        }
    }

    static Digest digest(String s) throws CreateException {
        try {
            return Digest.parse(s);
        } catch (InvalidDigestException e) {
            throw CreateException.badRequest("invalid digest format");
        }
    }

    /** A file name from {@code files}/{@code adapters}: relative, clean, {@code /}-separated. */
    static String fileName(String name) throws CreateException {
        boolean bad = name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0;
        if (!bad) {
            for (String part : name.split("/", -1)) {
                bad |= part.isEmpty() || part.equals(".") || part.equals("..");
            }
        }
        if (bad) {
            throw CreateException.badRequest("file path must be relative");
        }
        return name;
    }

    private static Digest sha256(Path file) throws IOException {
        MessageDigest md = Digest.sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
            }
        }
        return Digest.fromRaw(md.digest());
    }
}
