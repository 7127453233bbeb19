package io.mbllm.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Texts printed next to each other in columns under their headers, each wrapped at word boundaries to its
 * column; when the columns would be narrower than {@link #MIN_COLUMN} characters the texts are stacked
 * instead, each under its header.
 */
final class SideBySide {
    static final int MIN_COLUMN = 18;
    private static final String GAP = " | ";

    private SideBySide() {}

    /** The lines showing {@code texts} under {@code headers} within {@code width} characters. */
    static List<String> render(List<String> headers, List<String> texts, int width) {
        int n = headers.size();
        int col = (width - GAP.length() * (n - 1)) / n;
        List<String> out = new ArrayList<>();
        if (col < MIN_COLUMN) {
            for (int i = 0; i < n; i++) {
                out.add("-- " + headers.get(i));
                out.addAll(wrap(texts.get(i), Math.max(MIN_COLUMN, width)));
            }
            return out;
        }
        List<List<String>> cells = new ArrayList<>();
        int rows = 0;
        for (int i = 0; i < n; i++) {
            List<String> c = new ArrayList<>(wrap(headers.get(i), col));
            c.add("-".repeat(col));
            cells.add(c);
        }
        // headers may wrap to different heights: pad them so that the rules line up
        int headRows = cells.stream().mapToInt(List::size).max().orElse(0);
        for (List<String> c : cells) while (c.size() < headRows) c.add(c.size() - 1, "");
        for (int i = 0; i < n; i++) {
            cells.get(i).addAll(wrap(texts.get(i), col));
            rows = Math.max(rows, cells.get(i).size());
        }
        for (int r = 0; r < rows; r++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                String s = r < cells.get(i).size() ? cells.get(i).get(r) : "";
                b.append(s);
                if (i < n - 1) b.append(" ".repeat(col - s.length())).append(GAP);
            }
            out.add(b.toString().stripTrailing());
        }
        return out;
    }

    /** {@code text} wrapped to {@code width}: line breaks kept, words longer than a line cut. */
    static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        for (String para : text.replace("\r", "").split("\n", -1)) {
            StringBuilder line = new StringBuilder();
            for (String word : para.trim().split("\\s+")) {
                if (word.isEmpty()) continue;
                while (word.length() > width) {
                    if (!line.isEmpty()) {
                        out.add(line.toString());
                        line.setLength(0);
                    }
                    out.add(word.substring(0, width));
                    word = word.substring(width);
                }
                if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                    out.add(line.toString());
                    line.setLength(0);
                }
                if (!line.isEmpty()) line.append(' ');
                line.append(word);
            }
            out.add(line.toString());
        }
        while (out.size() > 1 && out.getLast().isEmpty()) out.removeLast();
        return out;
    }
}
