package io.mbllm.server.create;

import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraException;
import io.mbllm.engine.lora.PeftImporter;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.server.store.BlobWrite;
import io.mbllm.server.store.Digest;
import io.mbllm.server.store.Layer;
import io.mbllm.server.store.LayerKind;
import io.mbllm.server.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The {@code adapters} of a create request turned into checked adapter layers, each with its user scale.
 *
 * <p>Keys are grouped by folder (the text before the last {@code /}). In a group, every GGUF file (by name or
 * magic) is one adapter; a {@code .safetensors} file with the group's {@code adapter_config.json} is one Hugging
 * Face PEFT adapter, converted here to a GGUF adapter (F32) with {@link PeftImporter}. Several adapters are
 * allowed (an mbllm extension; Ollama answers {@code only one adapter is currently supported}). Scales come from
 * the request's {@code adapter_scales}, keyed like {@code adapters} (the GGUF file, or a PEFT adapter's
 * {@code .safetensors} file or folder); 1 when absent.
 *
 * <p>Every adapter is checked against the base weights as llama.cpp checks it when loading ({@link LoraAdapter},
 * {@code shared/testdata/lora-oracle/README.md}): a failure is a 400 naming the file, before anything is stored
 * (a PEFT conversion's output is stored only once it passed).
 */
final class AdapterLayers {
    private static final String PEFT_CONFIG = "adapter_config.json";

    /** One adapter layer to write and its user scale. */
    record Planned(Layer layer, float scale) {
    }

    private final CreateService service;
    private final Consumer<CreateProgress> progress;

    AdapterLayers(CreateService service, Consumer<CreateProgress> progress) {
        this.service = service;
        this.progress = progress;
    }

    /**
     * Resolves and checks {@code adapters} against the GGUF weights at {@code base}.
     *
     * @throws CreateException 400 for an adapter that is malformed or does not fit, a missing blob, an
     *                         {@code adapter_scales} key that names no adapter, or the same adapter twice
     */
    List<Planned> resolve(Map<String, String> adapters, Map<String, Float> scales, Path base)
            throws CreateException, IOException {
        Map<String, Map<String, String>> groups = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : adapters.entrySet()) {
            String key = CreateService.fileName(e.getKey());
            int slash = key.lastIndexOf('/');
            groups.computeIfAbsent(slash < 0 ? "" : key.substring(0, slash), k -> new LinkedHashMap<>())
                    .put(key, e.getValue());
        }
        Set<String> scaleKeys = new HashSet<>(scales.keySet());
        List<Planned> out = new ArrayList<>();
        Set<Digest> seen = new HashSet<>();
        try (GgufModelSource baseSource = GgufModelSource.open(base)) {
            boolean tied = baseSource.tensor("output.weight").isEmpty();
            for (Map.Entry<String, Map<String, String>> g : groups.entrySet()) {
                String folder = g.getKey();
                String peftWeights = null;
                String peftConfig = null;
                for (Map.Entry<String, String> f : g.getValue().entrySet()) {
                    String key = f.getKey();
                    String name = key.substring(key.lastIndexOf('/') + 1);
                    if (name.endsWith(".safetensors")) {
                        if (peftWeights != null) {
                            throw CreateException.badRequest("adapter folder '" + folder + "' has more than one "
                                    + ".safetensors file; a PEFT adapter has one adapter_model.safetensors");
                        }
                        peftWeights = key;
                    } else if (name.equals(PEFT_CONFIG)) {
                        peftConfig = key;
                    } else {
                        Digest d = CreateService.digest(f.getValue());
                        service.facts(key, d); // 400 unless GGUF
                        checkGguf(key, service.store().blobs().path(d), baseSource, tied);
                        out.add(planned(key, d, scale(scales, scaleKeys, key, null), seen));
                    }
                }
                if (peftWeights != null) {
                    if (peftConfig == null) {
                        throw CreateException.badRequest("adapter " + peftWeights + ": a safetensors adapter needs "
                                + "its adapter_config.json in the same folder");
                    }
                    Digest d = importPeft(peftWeights, g.getValue().get(peftWeights), g.getValue().get(peftConfig),
                            base);
                    out.add(planned(peftWeights, d, scale(scales, scaleKeys, peftWeights, folder), seen));
                } else if (peftConfig != null && g.getValue().size() == 1) {
                    throw CreateException.badRequest("adapter " + peftConfig + ": no adapter_model.safetensors "
                            + "next to it");
                }
            }
        } catch (GgufFormatException e) {
            throw CreateException.badRequest("the base model is not a valid GGUF file: " + e.getMessage());
        }
        if (!scaleKeys.isEmpty()) {
            throw CreateException.badRequest("adapter_scales names " + scaleKeys.stream().sorted().toList()
                    + ", which is not an adapter of this request");
        }
        return out;
    }

    /**
     * Checks adapter layers that came in {@code files} (a GGUF whose {@code general.type} is {@code adapter}
     * becomes an adapter layer, as in Ollama) against the weights at {@code base}.
     */
    void check(List<Layer> adapterLayers, Path base) throws CreateException, IOException {
        try (GgufModelSource baseSource = GgufModelSource.open(base)) {
            boolean tied = baseSource.tensor("output.weight").isEmpty();
            for (Layer l : adapterLayers) {
                checkGguf(l.from(), service.store().blobs().path(l.digest()), baseSource, tied);
            }
        } catch (GgufFormatException e) {
            throw CreateException.badRequest("the base model is not a valid GGUF file: " + e.getMessage());
        }
    }

    private Planned planned(String key, Digest d, float scale, Set<Digest> seen) throws CreateException,
            IOException {
        if (!seen.add(d)) {
            throw CreateException.badRequest("adapter " + key + " is given twice");
        }
        long size;
        try {
            size = service.store().blobs().size(d);
        } catch (StoreException e) {
            throw CreateException.badRequest(e.getMessage());
        }
        return new Planned(new Layer(LayerKind.ADAPTER.mediaType(), d, size, key, ""), scale);
    }

    private static float scale(Map<String, Float> scales, Set<String> unused, String key, String folder)
            throws CreateException {
        Float s = scales.get(key);
        unused.remove(key);
        if (folder != null && scales.containsKey(folder)) {
            s = s == null ? scales.get(folder) : s;
            unused.remove(folder);
        }
        if (s == null) {
            return 1f;
        }
        if (!Float.isFinite(s)) {
            throw CreateException.badRequest("adapter " + key + ": scale must be a finite number");
        }
        return s;
    }

    /** Loads the adapter and checks it against the base (llama.cpp's checks and messages). */
    private static void checkGguf(String key, Path file, GgufModelSource base, boolean tied) throws CreateException,
            IOException {
        try (LoraAdapter a = LoraAdapter.load(file)) {
            a.checkFits(base, tied);
        } catch (LoraException e) {
            throw CreateException.badRequest(message(key, file, e));
        } catch (GgufFormatException e) {
            throw CreateException.badRequest("adapter " + key + ": not a valid GGUF file: " + e.getMessage());
        }
    }

    /** {@code adapter KEY: <reason>}, without the blob path the engine's message starts with. */
    static String message(String key, Path file, Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        String prefix = file + ": ";
        if (m.startsWith(prefix)) {
            m = m.substring(prefix.length());
        }
        return "adapter " + key + ": " + m;
    }

    /** Converts a PEFT adapter into a GGUF adapter blob; nothing is stored when the conversion fails. */
    private Digest importPeft(String key, String weightsDigest, String configDigest, Path base)
            throws CreateException, IOException {
        Path weights = blob(CreateService.digest(weightsDigest));
        Path config = blob(CreateService.digest(configDigest));
        progress.accept(CreateProgress.status("converting adapter " + key));
        Path work = service.store().blobs().dir().resolve(".partial-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID() + "-peft");
        try {
            Path dir = Files.createDirectories(work.resolve("in"));
            link(dir.resolve("adapter_model.safetensors"), weights);
            link(dir.resolve(PEFT_CONFIG), config);
            Path out = work.resolve("adapter.gguf");
            try {
                PeftImporter.importDir(dir, base, out, GgmlType.F32);
            } catch (LoraException | IOException e) {
                String m = e.getMessage() == null ? e.toString() : e.getMessage();
                throw CreateException.badRequest("adapter " + key + ": " + m.replace(dir + "/", "")
                        .replace(dir.toString(), "").replace(base + ": ", ""));
            }
            try (InputStream in = Files.newInputStream(out)) {
                BlobWrite w = service.store().blobs().write(in, null);
                return w.digest();
            } catch (StoreException e) {
                throw new CreateException(500, e.getMessage(), e);
            }
        } finally {
            deleteTree(work);
        }
    }

    private Path blob(Digest d) throws CreateException {
        Path p = service.store().blobs().path(d);
        if (!Files.isRegularFile(p)) {
            throw CreateException.badRequest("blob " + d + " not found");
        }
        return p;
    }

    private static void link(Path link, Path target) throws IOException {
        try {
            Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(target, link);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.getLogger(AdapterLayers.class.getName()).log(System.Logger.Level.WARNING,
                    "could not remove {0}: {1}", dir, e.getMessage());
        }
    }
}
