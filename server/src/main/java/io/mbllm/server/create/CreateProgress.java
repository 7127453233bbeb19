package io.mbllm.server.create;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One progress line of a create ({@code {"status":..}}, or with {@code digest}/{@code total}/{@code completed}
 * while quantizing), as streamed in NDJSON by {@code POST /api/create}.
 *
 * @param status    the text clients display ({@code parsing GGUF}, {@code writing manifest}, {@code success})
 * @param digest    "" for a plain status; a progress key otherwise (Ollama uses {@code 0000000000000000000}
 *                  while quantizing)
 * @param total     bytes to do (0 for a plain status)
 * @param completed bytes done (0 for a plain status)
 */
public record CreateProgress(String status, String digest, long total, long completed) {

    /** The digest Ollama reports on quantization progress lines. */
    public static final String QUANTIZE_DIGEST = "0000000000000000000";

    public CreateProgress {
        Objects.requireNonNull(status, "status");
        digest = digest == null ? "" : digest;
    }

    /** A plain status line. */
    public static CreateProgress status(String status) {
        return new CreateProgress(status, "", 0, 0);
    }

    /** The final line. */
    public static CreateProgress success() {
        return status("success");
    }

    /** True for a line that carries {@code digest}, {@code total} and {@code completed}. */
    public boolean hasProgress() {
        return !digest.isEmpty();
    }

    /** The JSON object in Ollama's field order; the progress fields only when {@link #hasProgress()}. */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        if (hasProgress()) {
            m.put("digest", digest);
            m.put("total", total);
            m.put("completed", completed);
        }
        return m;
    }
}
