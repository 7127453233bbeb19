package io.mbllm.server.tools;

import java.util.List;

/**
 * Streams an answer while holding back what may be a tool call: an answer that starts (after whitespace) with
 * {@code {}, {@code [}, {@code <tool_call>} or {@code [TOOL_CALLS]} is held to the end, and so is everything
 * from a {@code <tool_call>} tag on; other text passes through at once (a suffix that could begin the tag
 * waits for the next piece). {@link #finish} parses what was held. Not thread-safe.
 */
public final class ToolStreamFilter {
    private enum Mode { UNDECIDED, TEXT, CALL }

    private final ToolCallParser parser;
    private final StringBuilder held = new StringBuilder();
    private Mode mode = Mode.UNDECIDED;

    public ToolStreamFilter(ToolCallParser parser) {
        this.parser = parser;
    }

    /** Takes a piece of the answer; returns the text that may be shown now (possibly empty). */
    public String feed(String piece) {
        held.append(piece);
        switch (mode) {
            case CALL -> {
                return "";
            }
            case UNDECIDED -> {
                String t = held.toString().stripLeading();
                if (t.isEmpty()) return "";
                if (t.startsWith("{") || t.startsWith("[") || t.startsWith(ToolCallParser.OPEN_TAG)) {
                    mode = Mode.CALL;
                    return "";
                }
                if (ToolCallParser.OPEN_TAG.startsWith(t)) return "";
                mode = Mode.TEXT;
                return releaseText();
            }
            default -> {
                return releaseText();
            }
        }
    }

    /** In text mode: everything before a tag (or a possible tag start) is released. */
    private String releaseText() {
        String s = held.toString();
        int tag = s.indexOf(ToolCallParser.OPEN_TAG);
        if (tag >= 0) {
            mode = Mode.CALL;
            held.delete(0, tag);
            return s.substring(0, tag);
        }
        int keep = partialTagSuffix(s);
        held.delete(0, s.length() - keep);
        return s.substring(0, s.length() - keep);
    }

    /** Length of the longest suffix of {@code s} that is a proper prefix of the opening tag. */
    private static int partialTagSuffix(String s) {
        String tag = ToolCallParser.OPEN_TAG;
        for (int k = Math.min(tag.length() - 1, s.length()); k > 0; k--) {
            if (s.regionMatches(s.length() - k, tag, 0, k)) return k;
        }
        return 0;
    }

    /** Ends the answer: the held text as content (what was not a call) and the calls found in it. */
    public ToolCallParser.Result finish() {
        String rest = held.toString();
        held.setLength(0);
        if (mode != Mode.CALL) return new ToolCallParser.Result(rest, List.of());
        return parser.parse(rest);
    }
}
