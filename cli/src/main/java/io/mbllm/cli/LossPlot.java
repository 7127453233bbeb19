package io.mbllm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The training loss curve of {@code mbllm finetune --plot}: step (x) against loss (y, from 0 or just below the
 * smallest value), with grid, tick labels and a title, as {@link PlotMark}s written to SVG or PNG by
 * {@link PlotFile}.
 */
final class LossPlot {
    static final int WIDTH = 720, HEIGHT = 420;
    private static final double LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 50;
    /** Horizontal grid lines (with their loss labels) from the bottom to the top of the frame. */
    private static final int Y_TICKS = 6;

    private LossPlot() {}

    /** Writes the curve of {@code losses} (loss of step {@code first + i}) to {@code file}, a .svg or .png. */
    static void write(Path file, String title, int first, List<Double> losses) throws IOException {
        PlotFile.write(marks(title, first, losses), WIDTH, HEIGHT, file);
    }

    /** The chart's marks; the curve (one vertex per step) comes last. */
    static List<PlotMark> marks(String title, int first, List<Double> losses) {
        if (losses.isEmpty()) throw new IllegalArgumentException("no steps to plot");
        Frame f = Frame.of(first, losses);
        List<PlotMark> m = new ArrayList<>();
        m.add(new PlotMark.Text(LEFT, 24, title, 15, PlotMark.Anchor.START, false, PlotMark.INK));
        for (int i = 0; i < Y_TICKS; i++) {
            double v = f.lo + (f.hi - f.lo) * i / (Y_TICKS - 1);
            double y = f.y(v);
            m.add(new PlotMark.Line(LEFT, y, WIDTH - RIGHT, y, PlotMark.GRID, 1));
            m.add(new PlotMark.Text(LEFT - 6, y + 4, String.format(Locale.ROOT, "%.3f", v), 12, PlotMark.Anchor.END, false,
                    PlotMark.INK));
        }
        for (int step : xTicks(f)) {
            m.add(new PlotMark.Text(f.x(step), HEIGHT - BOTTOM + 18, Integer.toString(step), 12, PlotMark.Anchor.MIDDLE, false,
                    PlotMark.INK));
        }
        m.add(new PlotMark.Line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, PlotMark.INK, 1));
        m.add(new PlotMark.Line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, PlotMark.INK, 1));
        m.add(new PlotMark.Text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 12, "step", 12, PlotMark.Anchor.MIDDLE, false, PlotMark.INK));
        m.add(new PlotMark.Text(16, (TOP + HEIGHT - BOTTOM) / 2, "loss", 12, PlotMark.Anchor.MIDDLE, true, PlotMark.INK));
        List<PlotMark.Polyline.Point> curve = new ArrayList<>(losses.size());
        for (int i = 0; i < losses.size(); i++) curve.add(new PlotMark.Polyline.Point(f.x(first + i), f.y(losses.get(i))));
        if (curve.size() == 1) m.add(new PlotMark.Dot(curve.getFirst().x(), curve.getFirst().y(), 3, PlotMark.DATA, true));
        m.add(new PlotMark.Polyline(curve, PlotMark.DATA, 2));
        return m;
    }

    /** Plot geometry: value ranges and the mapping to pixels. */
    private record Frame(int first, int last, double lo, double hi) {
        static Frame of(int first, List<Double> losses) {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double v : losses) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double span = Math.max(max - min, 1e-6);
            double lo = Math.max(0, min - 0.1 * span), hi = max + 0.05 * span;
            return new Frame(first, first + losses.size() - 1, lo, hi);
        }

        double x(double step) {
            return LEFT + (last == first ? 0.5 : (step - first) / (last - first)) * (WIDTH - LEFT - RIGHT);
        }

        double y(double loss) {
            return TOP + (hi - loss) / (hi - lo) * (HEIGHT - TOP - BOTTOM);
        }
    }

    /** About eight round step numbers across the range. */
    private static int[] xTicks(Frame f) {
        int span = Math.max(1, f.last - f.first);
        int step = 1;
        for (int c : new int[] {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000}) {
            step = c;
            if (span / c <= 8) break;
        }
        int start = ((f.first + step - 1) / step) * step;
        int n = Math.max(0, (f.last - start) / step + 1);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = start + i * step;
        return out;
    }
}
