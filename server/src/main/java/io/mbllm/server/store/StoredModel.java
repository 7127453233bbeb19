package io.mbllm.server.store;

import io.mbllm.server.modelfile.AdapterLine;
import io.mbllm.server.modelfile.Message;
import io.mbllm.server.modelfile.Modelfile;
import io.mbllm.server.modelfile.ModelfileRenderer;
import io.mbllm.server.modelfile.Parameters;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code show} needs about one stored model, with its small layers read.
 *
 * @param name           the stored name (on-disk spelling)
 * @param manifest       the manifest
 * @param digest         hex SHA-256 of the manifest bytes
 * @param modifiedAt     manifest mtime
 * @param config         the config blob
 * @param details        details, {@code parentModel} = the model layer's {@code from}
 * @param modelPath      the weights blob
 * @param projectorPaths projector blobs
 * @param adapterPaths   adapter blobs
 * @param template       the template (or legacy prompt) layer text
 * @param system         the system layer text
 * @param parameters     the params layer
 * @param licenses       the license layer texts
 * @param messages       the messages layer
 */
public record StoredModel(ModelName name, Manifest manifest, String digest, Instant modifiedAt, ModelConfig config,
        ModelDetails details, Optional<Path> modelPath, List<Path> projectorPaths, List<Path> adapterPaths,
        Optional<String> template, Optional<String> system, Parameters parameters, List<String> licenses,
        List<Message> messages) {

    public StoredModel {
        projectorPaths = List.copyOf(projectorPaths);
        adapterPaths = List.copyOf(adapterPaths);
        licenses = List.copyOf(licenses);
        messages = List.copyOf(messages);
    }

    /** Σ layer sizes + config size. */
    public long size() {
        return manifest.totalSize();
    }

    /**
     * The user scale of each adapter, in the order of {@link #adapterPaths()} (1 unless the config's
     * {@code adapter_scales} says otherwise).
     */
    public List<Float> adapterScales() {
        List<Float> out = new ArrayList<>();
        for (Layer l : manifest.layers()) {
            if (l.mediaType().equals(LayerKind.ADAPTER.mediaType())) {
                out.add(config.adapterScale(l.digest()));
            }
        }
        return out;
    }

    /**
     * The model as a Modelfile (§8): FROM the weights blob path (or the display name when there is none) and the
     * projector blobs, one ADAPTER per adapter blob ({@code PATH:SCALE} when its scale is not 1), and the stored template, system, params, licenses,
     * messages and {@code requires}.
     */
    public Modelfile toModelfile() {
        List<String> from = new ArrayList<>();
        from.add(modelPath.map(Path::toString).orElse(name.displayShortest()));
        projectorPaths.forEach(p -> from.add(p.toString()));
        List<Float> scales = adapterScales();
        List<String> adapters = new ArrayList<>();
        for (int i = 0; i < adapterPaths.size(); i++) {
            adapters.add(new AdapterLine(adapterPaths.get(i).toString(), scales.get(i)).text());
        }
        return new Modelfile(from, adapters, template, system,
                parameters, licenses, messages,
                config.requires().isEmpty() ? Optional.empty() : Optional.of(config.requires()));
    }

    /** The {@code show --modelfile} text. */
    public String modelfileText() {
        return ModelfileRenderer.render(toModelfile(), name.displayShortest());
    }
}
