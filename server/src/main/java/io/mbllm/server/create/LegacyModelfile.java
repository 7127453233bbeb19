package io.mbllm.server.create;

import io.mbllm.server.modelfile.AdapterLine;
import io.mbllm.server.modelfile.Modelfile;
import io.mbllm.server.modelfile.ModelfileException;
import io.mbllm.server.modelfile.ModelfileParser;
import io.mbllm.server.store.BlobWrite;
import io.mbllm.server.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The legacy {@code modelfile} form of a create request (older clients send the Modelfile text): the server
 * parses it and resolves {@code FROM}/{@code ADAPTER} paths on its own file system — relative to {@code path}
 * when given, else to the server's working directory — storing the files it finds as blobs. Fields given
 * explicitly in the request win over the Modelfile's.
 */
final class LegacyModelfile {
    private LegacyModelfile() {
    }

    static CreateRequest resolve(CreateRequest req, CreateService service, Consumer<CreateProgress> progress)
            throws CreateException, IOException {
        Modelfile mf;
        try {
            mf = ModelfileParser.parse(req.modelfile(), w -> { });
        } catch (ModelfileException e) {
            throw CreateException.badRequest(e.getMessage());
        }
        Path base = Path.of(req.path().isEmpty() ? System.getProperty("user.dir") : req.path());
        String from = "";
        Map<String, String> files = new LinkedHashMap<>();
        for (String arg : mf.from()) {
            Path p = existing(arg, base);
            if (p == null) {
                from = arg;
            } else if (Files.isDirectory(p)) {
                throw CreateException.badRequest("FROM " + arg + ": a directory is not supported in the modelfile "
                        + "form; name the GGUF file");
            } else {
                files.put(p.getFileName().toString(), store(p, service, progress));
            }
        }
        Map<String, String> adapters = new LinkedHashMap<>();
        Map<String, Float> scales = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        for (String text : mf.adapters()) {
            AdapterLine line = AdapterLine.parse(text);
            Path p = existing(line.path(), base);
            if (p == null) {
                throw CreateException.badRequest("adapter file not found: " + line.path());
            }
            AdapterFiles af;
            try {
                af = AdapterFiles.of(p, taken);
            } catch (IllegalArgumentException e) {
                throw CreateException.badRequest(e.getMessage());
            }
            for (Map.Entry<String, Path> f : af.files().entrySet()) {
                adapters.put(f.getKey(), store(f.getValue(), service, progress));
            }
            if (line.scale() != 1f) {
                scales.put(af.scaleKey(), line.scale());
            }
        }
        boolean ownAdapters = req.adapters().isEmpty();
        CreateRequest out = req.withSources(req.from().isEmpty() && req.files().isEmpty() ? from : req.from(),
                req.files().isEmpty() ? files : req.files(), ownAdapters ? adapters : req.adapters(),
                ownAdapters ? scales : req.adapterScales());
        List<io.mbllm.server.modelfile.Message> messages = req.messages().isEmpty() ? mf.messages() : req.messages();
        out = out.withContent(req.template().isEmpty() ? mf.template().orElse("") : req.template(),
                req.system().isEmpty() ? mf.system().orElse("") : req.system(),
                req.parameters().isEmpty() ? mf.parameters().toJsonMap() : req.parameters(), messages,
                req.license().isEmpty() ? mf.licenses() : req.license());
        if (req.requires().isEmpty() && mf.requires().isPresent()) {
            out = new CreateRequest(out.model(), out.from(), out.files(), out.adapters(), out.quantize(),
                    out.template(), out.system(), out.license(), out.parameters(), out.messages(), mf.requires().get(),
                    out.modelfile(), out.path(), out.stream(), out.adapterScales());
        }
        return out;
    }

    private static Path existing(String arg, Path base) {
        try {
            Path p = ModelfilePaths.expand(arg, base);
            return Files.exists(p) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static String store(Path file, CreateService service, Consumer<CreateProgress> progress)
            throws CreateException, IOException {
        progress.accept(CreateProgress.status("copying file " + file.getFileName()));
        try (InputStream in = Files.newInputStream(file)) {
            BlobWrite w = service.store().blobs().write(in, null);
            return w.digest().toString();
        } catch (StoreException e) {
            throw new CreateException(500, e.getMessage(), e);
        }
    }
}
