package io.mbllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mbllm.server.create.AdapterFiles;
import io.mbllm.server.create.ModelfilePaths;
import io.mbllm.server.modelfile.AdapterLine;
import io.mbllm.server.modelfile.Message;
import io.mbllm.server.modelfile.Modelfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The client half of {@code create} (modelfile.md §3): turns a parsed Modelfile into the JSON body of
 * {@code POST /api/create} and the local files to upload first. {@code FROM} paths are expanded relative to the
 * Modelfile's directory; a path that does not exist is a model name ({@code from}); a file is hashed and goes
 * to {@code files} under its base name; a directory contributes its {@code *.gguf} files. Every {@code ADAPTER}
 * ({@code PATH[:SCALE]}, {@link AdapterLine}) must exist: its files ({@link AdapterFiles}: a GGUF adapter, or a
 * PEFT folder) go to {@code adapters}, and a scale other than 1 to the mbllm field {@code adapter_scales}.
 *
 * @param body     the request body (without {@code stream})
 * @param uploads  the files to upload, in order
 */
public record ModelfileRequest(ObjectNode body, List<Upload> uploads) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A local file to send as a blob.
     *
     * @param digest {@code sha256:<hex>}
     * @param file   the file
     * @param size   its length
     */
    public record Upload(String digest, Path file, long size) {}

    public ModelfileRequest {
        uploads = List.copyOf(uploads);
    }

    /**
     * Builds the request for {@code model} from {@code mf}, whose relative paths start at {@code baseDir};
     * {@code quantize} may be null.
     */
    public static ModelfileRequest build(String model, Modelfile mf, Path baseDir, String quantize)
            throws CliException, IOException {
        ObjectNode body = JSON.createObjectNode().put("model", model);
        List<Upload> uploads = new ArrayList<>();
        Map<String, String> files = new LinkedHashMap<>();
        String from = null;
        for (String arg : mf.from()) {
            Path p = existing(arg, baseDir);
            if (p == null) {
                if (looksLikePath(arg)) {
                    throw new CliException("FROM " + arg + ": no such file (relative paths start at the Modelfile's "
                            + "folder, " + baseDir + ")");
                }
                from = arg;
            } else if (Files.isDirectory(p)) {
                for (Path f : ggufFiles(p)) add(f, p.relativize(f).toString().replace('\\', '/'), files, uploads);
            } else {
                add(p, p.getFileName().toString(), files, uploads);
            }
        }
        if (from != null && files.isEmpty()) body.put("from", from);
        if (!files.isEmpty()) body.set("files", JSON.valueToTree(files));
        if (!mf.adapters().isEmpty()) {
            Map<String, String> adapters = new LinkedHashMap<>();
            Map<String, Float> scales = new LinkedHashMap<>();
            Set<String> taken = new HashSet<>();
            for (String text : mf.adapters()) {
                AdapterLine line = AdapterLine.parse(text);
                Path p = existing(line.path(), baseDir);
                if (p == null) throw new CliException("adapter file not found: " + line.path());
                AdapterFiles af;
                try {
                    af = AdapterFiles.of(p, taken);
                } catch (IllegalArgumentException e) {
                    throw new CliException(e.getMessage());
                }
                for (Map.Entry<String, Path> f : af.files().entrySet()) add(f.getValue(), f.getKey(), adapters, uploads);
                if (line.scale() != 1f) scales.put(af.scaleKey(), line.scale());
            }
            body.set("adapters", JSON.valueToTree(adapters));
            if (!scales.isEmpty()) body.set("adapter_scales", JSON.valueToTree(scales));
        }
        mf.template().ifPresent(t -> body.put("template", t));
        mf.system().ifPresent(s -> body.put("system", s));
        if (!mf.licenses().isEmpty()) body.set("license", JSON.valueToTree(mf.licenses()));
        if (!mf.parameters().isEmpty()) body.set("parameters", JSON.valueToTree(mf.parameters().toJsonMap()));
        if (!mf.messages().isEmpty()) {
            ArrayNode arr = body.putArray("messages");
            for (Message m : mf.messages()) arr.addObject().put("role", m.role()).put("content", m.content());
        }
        mf.requires().ifPresent(r -> body.put("requires", r));
        if (quantize != null && !quantize.isEmpty()) body.put("quantize", quantize);
        return new ModelfileRequest(body, uploads);
    }

    /** A FROM argument no model name can be: {@code ./x}, {@code ../x}, {@code /x}, {@code ~/x}, {@code *.gguf}. */
    static boolean looksLikePath(String arg) {
        return arg.equals(".") || arg.equals("..") || arg.startsWith("./") || arg.startsWith("../")
                || arg.startsWith("/") || arg.startsWith("~") || arg.endsWith(".gguf") || arg.endsWith(".safetensors");
    }

    private static Path existing(String arg, Path baseDir) {
        try {
            Path p = ModelfilePaths.expand(arg, baseDir);
            return Files.exists(p) ? p.toRealPath() : null;
        } catch (InvalidPathException | IOException e) {
            return null;
        }
    }

    private static List<Path> ggufFiles(Path dir) throws CliException, IOException {
        List<Path> gguf;
        boolean safetensors;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(Files::isRegularFile).sorted().toList();
            gguf = all.stream().filter(f -> f.getFileName().toString().endsWith(".gguf")).toList();
            safetensors = all.stream().anyMatch(f -> f.getFileName().toString().endsWith(".safetensors"));
        }
        if (gguf.isEmpty()) {
            if (safetensors) {
                throw new CliException("safetensors import is not supported by mbllm; convert the model to GGUF "
                        + "first (llama.cpp convert_hf_to_gguf.py)");
            }
            throw new CliException("no Modelfile or safetensors files found");
        }
        return gguf;
    }

    private static void add(Path file, String key, Map<String, String> into, List<Upload> uploads) throws IOException {
        String digest = sha256(file);
        into.put(key, digest);
        uploads.add(new Upload(digest, file, Files.size(file)));
    }

    /** {@code sha256:<hex>} of a file's bytes. */
    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) >= 0; ) md.update(buf, 0, n);
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }
}
