package io.mbllm.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * Borderless left-aligned text tables as the Ollama CLI prints them: every cell padded to its column's width,
 * columns separated by four spaces, no trailing spaces.
 */
public final class Table {
    private static final String GAP = "    ";

    private Table() {}

    /** Prints {@code rows} (the first may be a header row) to {@code out}. */
    public static void print(PrintStream out, List<String[]> rows) {
        for (String line : lines(rows)) out.println(line);
    }

    /** Prints {@code rows} (the first may be a header row) to {@code out}. */
    public static void print(java.io.PrintWriter out, List<String[]> rows) {
        for (String line : lines(rows)) out.println(line);
    }

    /** The table's lines. */
    public static List<String> lines(List<String[]> rows) {
        List<String> lines = new java.util.ArrayList<>();
        int cols = 0;
        for (String[] r : rows) cols = Math.max(cols, r.length);
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].codePointCount(0, r[i].length()));
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(r[i]);
                if (i < r.length - 1) {
                    sb.append(" ".repeat(width[i] - r[i].codePointCount(0, r[i].length()))).append(GAP);
                }
            }
            lines.add(sb.toString().stripTrailing());
        }
        return lines;
    }
}
