package io.mbllm.gguf;

import java.io.IOException;

/**
 * The one error for a malformed GGUF file (or a metadata value of the wrong type): carries the file offset
 * where the problem was found (or {@code -1} when it has none) and the reason.
 *
 * <p>Message form: {@code malformed GGUF at offset 0x1A2: <reason>}.
 */
public final class GgufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final String reason;

    /** A malformed-file error found at {@code offset} (byte position in the file; {@code -1} if unknown). */
    public GgufFormatException(long offset, String reason) {
        super(format(offset, reason));
        this.offset = offset;
        this.reason = reason;
    }

    /** A malformed-file error with no file position (e.g. a missing or mistyped metadata key). */
    public GgufFormatException(String reason) {
        this(-1, reason);
    }

    private static String format(long offset, String reason) {
        return offset < 0 ? "malformed GGUF: " + reason
                : "malformed GGUF at offset 0x" + Long.toHexString(offset).toUpperCase() + ": " + reason;
    }

    /** Byte position in the file where the problem was found, or {@code -1}. */
    public long offset() { return offset; }

    /** The reason alone, without the offset prefix. */
    public String reason() { return reason; }
}
