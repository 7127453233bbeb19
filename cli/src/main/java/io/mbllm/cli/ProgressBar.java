package io.mbllm.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress display for long local jobs: label, percent and throughput. On a terminal it redraws in
 * place (carriage return, throttled to about ten redraws a second); otherwise it prints a plain line whenever
 * the label changes and once on completion, so logs stay readable.
 */
public final class ProgressBar {
    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean tty;
    private final LongSupplier nanoTime;
    private final long start;
    private final boolean bytes;
    private long lastDraw = Long.MIN_VALUE;
    private String lastLabel;
    private int lastLength;
    private boolean printedComplete;

    /**
     * @param out      where to draw (stderr)
     * @param tty      true to redraw in place
     * @param nanoTime the clock ({@code System::nanoTime} outside tests)
     */
    public ProgressBar(PrintWriter out, boolean tty, LongSupplier nanoTime) {
        this(out, tty, nanoTime, true);
    }

    private ProgressBar(PrintWriter out, boolean tty, LongSupplier nanoTime, boolean bytes) {
        this.out = out;
        this.tty = tty;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.bytes = bytes;
    }

    /** A bar that counts steps rather than bytes: it shows {@code done/total} where the byte bar shows MB/s. */
    public static ProgressBar steps(PrintWriter out, boolean tty, LongSupplier nanoTime) {
        return new ProgressBar(out, tty, nanoTime, false);
    }

    /** Shows progress: {@code done} of {@code total} bytes, currently working on {@code label}. */
    public void update(String label, long done, long total) {
        long now = nanoTime.getAsLong();
        boolean newLabel = !label.equals(lastLabel);
        if (tty) {
            if (!newLabel && now - lastDraw < REDRAW_NANOS && done < total) return;
            String line = line(label, done, total, now);
            int pad = Math.max(0, lastLength - line.length());
            out.print("\r" + line + " ".repeat(pad));
            lastLength = line.length();
        } else {
            boolean complete = total > 0 && done >= total;
            if (!newLabel && !(complete && !printedComplete)) return;
            printedComplete |= complete;
            out.println(line(label, done, total, now));
        }
        out.flush();
        lastDraw = now;
        lastLabel = label;
    }

    /** Ends the display (a newline after an in-place line). */
    public void finish() {
        if (tty && lastLength > 0) out.println();
        out.flush();
        lastLength = 0;
    }

    String line(String label, long done, long total, long now) {
        double frac = total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
        int filled = (int) Math.floor(frac * WIDTH);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        double secs = (now - start) / 1e9;
        String rate = !bytes ? done + "/" + total : secs > 0 ? Units.rate(done, secs) : "-";
        return String.format(Locale.ROOT, "[%s] %3d%% %s %s", bar, (int) Math.floor(frac * 100), rate, label);
    }
}
