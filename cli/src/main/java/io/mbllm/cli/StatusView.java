package io.mbllm.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows the progress of create/pull on stderr, Ollama-style: one line per status ({@code gathering model
 * components}, {@code writing manifest}, {@code success}) and, for work with a size, the status with a percent
 * and a bar ({@code quantizing F16 model to Q4_K_M  45% ▕████      ▏}). On a terminal the current line is
 * redrawn in place; otherwise each status is printed once, and a sized one again when it completes.
 */
public final class StatusView {
    private static final int BAR = 20;

    private final PrintStream out;
    private final boolean tty;
    private String current;
    private int shownPercent = -1;
    private int lastLength;

    /**
     * @param out where to draw (stderr)
     * @param tty redraw in place
     */
    public StatusView(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    /** Shows a plain status (printed once while it stays the same). */
    public void status(String text) {
        if (text.equals(current) && shownPercent < 0) return;
        endLine();
        current = text;
        shownPercent = -1;
        if (tty) {
            out.print(text);
            lastLength = text.length();
        } else {
            out.println(text);
        }
        out.flush();
    }

    /** Shows {@code done} of {@code total} for {@code label}. */
    public void progress(String label, long done, long total) {
        int pct = total <= 0 ? 100 : (int) Math.min(100, Math.floor(100.0 * done / total));
        boolean same = label.equals(current);
        if (same && pct == shownPercent) return;
        if (!same) endLine();
        if (tty) {
            String line = line(label, pct);
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else if (!same || pct == 100) {
            out.println(label + " " + pct + "%");
        }
        current = label;
        shownPercent = pct;
        out.flush();
    }

    /** Ends the display (a final newline on a terminal). */
    public void finish() {
        endLine();
        out.flush();
    }

    static String line(String label, int pct) {
        int filled = pct * BAR / 100;
        return String.format(Locale.ROOT, "%s %3d%% ▕%s%s▏", label, pct, "█".repeat(filled), " ".repeat(BAR - filled));
    }

    private void endLine() {
        if (tty && lastLength > 0) out.println();
        lastLength = 0;
    }
}
