package io.mbllm.server.modelfile;

import java.util.Objects;
import java.util.Set;

/**
 * A stored conversation message (Modelfile {@code MESSAGE}, the messages layer).
 *
 * @param role    {@code system}, {@code user} or {@code assistant} when parsed from a Modelfile; a stored
 *                layer written by another tool may hold other roles
 * @param content the text
 */
public record Message(String role, String content) {

    /** The roles a Modelfile {@code MESSAGE} accepts (lowercase, exact). */
    public static final Set<String> MODELFILE_ROLES = Set.of("system", "user", "assistant");

    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
