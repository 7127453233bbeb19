package io.mbllm.engine.template.go;

/** Model capabilities that Ollama derives from a prompt template. */
public enum Capability {
    /** The template references {@code .Tools}. */
    TOOLS("tools"),
    /** The template references {@code .Suffix} (fill-in-middle). */
    INSERT("insert"),
    /** Thinking tags surround {@code .Thinking} inside {@code range .Messages}. */
    THINKING("thinking");

    private final String wireName;

    Capability(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in Ollama's API ({@code "tools"}, {@code "insert"}, {@code "thinking"}). */
    public String wireName() {
        return wireName;
    }
}
