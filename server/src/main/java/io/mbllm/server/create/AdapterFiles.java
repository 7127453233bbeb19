package io.mbllm.server.create;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files one Modelfile {@code ADAPTER} path stands for, with the {@code adapters} keys a create request sends
 * them under (modelfile.md §2): a GGUF adapter file (key: its name); a Hugging Face PEFT folder holding
 * {@code adapter_config.json} and {@code adapter_model.safetensors}, or that {@code .safetensors} file itself
 * (keys: {@code <folder>/adapter_config.json} and {@code <folder>/<name>.safetensors}); a folder holding exactly
 * one {@code .gguf}. Keys already taken by earlier adapters of the same request get a numbered folder.
 *
 * @param files    key → local file, in upload order
 * @param scaleKey the key {@code adapter_scales} names this adapter by
 */
public record AdapterFiles(Map<String, Path> files, String scaleKey) {
    private static final String PEFT_CONFIG = "adapter_config.json";

    public AdapterFiles {
        files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    /**
     * The files of the adapter at {@code path} (which exists), with keys not in {@code taken} (the keys are added
     * to it).
     *
     * @throws IllegalArgumentException when the path holds no usable adapter (the message says why)
     */
    public static AdapterFiles of(Path path, Set<String> taken) throws IOException {
        Path file = path;
        if (Files.isDirectory(path)) {
            List<Path> all;
            try (Stream<Path> s = Files.list(path)) {
                all = s.filter(Files::isRegularFile).sorted().toList();
            }
            List<Path> st = all.stream().filter(f -> f.getFileName().toString().endsWith(".safetensors")).toList();
            List<Path> gguf = all.stream().filter(f -> f.getFileName().toString().endsWith(".gguf")).toList();
            if (st.size() == 1) {
                file = st.getFirst();
            } else if (st.isEmpty() && gguf.size() == 1) {
                file = gguf.getFirst();
            } else {
                throw new IllegalArgumentException("no adapter found in " + path + ": expected " + PEFT_CONFIG
                        + " with adapter_model.safetensors (Hugging Face PEFT), or one .gguf file");
            }
        }
        String name = file.getFileName().toString();
        Map<String, Path> files = new LinkedHashMap<>();
        if (name.endsWith(".safetensors")) {
            Path config = file.toAbsolutePath().getParent().resolve(PEFT_CONFIG);
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException("adapter " + file + ": a safetensors adapter needs "
                        + PEFT_CONFIG + " in the same folder");
            }
            Path parent = file.toAbsolutePath().getParent().getFileName();
            String folder = parent == null ? "adapter" : parent.toString();
            String f = folder;
            for (int i = 2; taken.contains(f + "/" + name) || taken.contains(f + "/" + PEFT_CONFIG); i++) {
                f = folder + "-" + i;
            }
            files.put(f + "/" + PEFT_CONFIG, config);
            files.put(f + "/" + name, file);
            taken.addAll(files.keySet());
            return new AdapterFiles(files, f + "/" + name);
        }
        String key = name;
        for (int i = 2; taken.contains(key); i++) {
            key = "adapter-" + i + "/" + name;
        }
        files.put(key, file);
        taken.add(key);
        return new AdapterFiles(files, key);
    }
}
